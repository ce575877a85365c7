// Regular expressions (RE2 syntax, linear time) without exposing RE2: one compiled pattern, and a
// set of patterns matched in one pass.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "golive/error.h"

namespace golive {

// How a pattern is compiled.
struct RegexOptions {
  // utf8 for text (runbook keys, HTTP bodies); latin1 to match arbitrary bytes one by one.
  enum class Encoding { kUtf8, kLatin1 };
  Encoding encoding = Encoding::kUtf8;
  bool longest_match = false;  // leftmost-longest instead of leftmost-first alternation
  std::int64_t max_mem = 0;    // bytes for the compiled program and DFA; 0: the library default
};

// Byte range [begin, end) of a match in the searched text.
struct RegexMatch {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// A compiled regular expression; immutable, cheap to copy, safe to share between threads.
class Regex {
 public:
  // Compiles `pattern`; the error message says why it is invalid (no file/key context).
  static Result<Regex> compile(std::string_view pattern, const RegexOptions& options = {});
  // True when the whole of `text` matches.
  bool full_match(std::string_view text) const;
  // True when some part of `text` matches.
  bool partial_match(std::string_view text) const;
  // The first match starting at or after byte `from` of `text`; context before `from` is seen.
  std::optional<RegexMatch> find(std::string_view text, std::size_t from = 0) const;
  // The pattern as given.
  const std::string& pattern() const;
  // `literal` escaped so that it matches itself exactly.
  static std::string quote_meta(std::string_view literal);

 private:
  struct Impl;
  explicit Regex(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// Many patterns matched in one unanchored pass, telling which of them occur in a text. Built once
// (add..., compile), then match() is safe to call from many threads.
class RegexSet {
 public:
  explicit RegexSet(const RegexOptions& options = {});
  RegexSet(RegexSet&&) noexcept;
  RegexSet& operator=(RegexSet&&) noexcept;
  ~RegexSet();
  // Adds a pattern before compile(); its id is the number of patterns added before it.
  Status add(std::string_view pattern);
  // Freezes the set; fails only when out of memory.
  Status compile();
  // What one match() found.
  enum class Outcome { kNone, kHit, kOutOfMemory };
  // Ids of every pattern occurring in `text` into `ids` (replaced). kOutOfMemory: the DFA ran out
  // of memory on this text and `ids` says nothing; callers fall back to trying each pattern.
  Outcome match(std::string_view text, std::vector<int>& ids) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace golive
