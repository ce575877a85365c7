// A small YAML document tree with source positions, built from yaml-cpp (the only code that
// includes yaml-cpp). Aliases are expanded into copies under a hard node budget, so schema code
// walks plain trees and an alias bomb is refused instead of expanded.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "golive/runbook.h"

namespace golive {

struct YamlEntry;

struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };
  Kind kind = Kind::kNull;
  std::string scalar;              // kScalar
  SourcePos pos;                   // where the value starts (the key's position for empty values)
  std::vector<YamlNode> items;     // kSequence
  std::vector<YamlEntry> entries;  // kMap, in document order, duplicates kept

  bool is_null() const { return kind == Kind::kNull; }
  bool is_scalar() const { return kind == Kind::kScalar; }
  bool is_sequence() const { return kind == Kind::kSequence; }
  bool is_map() const { return kind == Kind::kMap; }
};

struct YamlEntry {
  std::string key;
  SourcePos key_pos;
  YamlNode value;
};

// Most nodes a document may expand to (aliases included); a runbook has a few thousand.
inline constexpr std::size_t kMaxYamlNodes = 100'000;
// Deepest nesting accepted; a runbook needs about six levels.
inline constexpr int kMaxYamlDepth = 64;

// Something wrong with the YAML itself, at a position in the text.
struct YamlProblem {
  SourcePos pos;
  std::string message;
};

// Parses a single YAML document. Problems (syntax errors with their position, several documents,
// non-string keys, too many nodes or levels) are appended to `problems`; nullopt when nothing
// usable was read. An empty document yields a kNull root.
std::optional<YamlNode> parse_yaml(std::string_view text, std::vector<YamlProblem>& problems);

}  // namespace golive
