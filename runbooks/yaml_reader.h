// Typed reads from the YAML tree: each reports a wrong type or value at the node's position and
// key path, and returns nullopt so the caller keeps going and every error is reported.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "golive/duration.h"
#include "runbooks/diagnostics.h"
#include "orchestrator/adapters/yaml/yaml_tree.h"

namespace golive {

// "parent.key" (or "key" at the top).
std::string child_path(std::string_view parent, std::string_view key);
// "parent[i]".
std::string item_path(std::string_view parent, std::size_t index);

// "a string", "a list", "a mapping" or "an empty value", for messages.
std::string_view describe(const YamlNode& node);

// The keys of a mapping, first occurrence of each, after reporting unknown and duplicate keys.
class Fields {
 public:
  const YamlEntry* get(std::string_view key) const;
  bool has(std::string_view key) const { return get(key) != nullptr; }
  const std::vector<const YamlEntry*>& in_order() const { return entries_; }
  void add(const YamlEntry* entry) { entries_.push_back(entry); }

 private:
  std::vector<const YamlEntry*> entries_;
};

// Reads a mapping whose keys must be among `known`. Unknown keys are reported as
// "unknown <what> `x`" with a did-you-mean hint; nullopt when `node` is not a mapping.
std::optional<Fields> read_fields(const YamlNode& node, const std::string& path,
                                  std::span<const std::string_view> known, Diagnostics& diags,
                                  std::string_view what = "key");

// Reads a mapping with free keys (environments, vars), reporting duplicates as
// "duplicate <what> `x`"; nullopt when `node` is not a mapping.
std::optional<std::vector<const YamlEntry*>> read_entries(const YamlNode& node,
                                                          const std::string& path,
                                                          Diagnostics& diags,
                                                          std::string_view what = "key");

// A list; nullopt (reported) when `node` is something else.
const std::vector<YamlNode>* read_list(const YamlNode& node, const std::string& path,
                                       Diagnostics& diags);

// A non-empty scalar, as written.
std::optional<std::string> read_string(const YamlNode& node, const std::string& path,
                                       Diagnostics& diags);
// A decimal integer within [min, max].
std::optional<int> read_int(const YamlNode& node, const std::string& path, Diagnostics& diags,
                            int min, int max);
// `true` or `false` (not yes/no/on/off, which YAML 1.2 reads as strings).
std::optional<bool> read_bool(const YamlNode& node, const std::string& path, Diagnostics& diags);
// A duration such as 90s, 10m, 1h30m, 250ms.
std::optional<Millis> read_duration(const YamlNode& node, const std::string& path,
                                    Diagnostics& diags);
// A list of non-empty strings.
std::optional<std::vector<std::string>> read_string_list(const YamlNode& node,
                                                         const std::string& path,
                                                         Diagnostics& diags);
// A mapping of string keys to scalar values.
std::optional<std::map<std::string, std::string>> read_string_map(const YamlNode& node,
                                                                  const std::string& path,
                                                                  Diagnostics& diags);

// Parses a decimal integer; nullopt on anything else or overflow.
std::optional<long long> parse_integer(std::string_view text);

}  // namespace golive
