// The one redactor between every output sink and the world (console, logs, ledger, JSON, errors,
// notifications). Replaces each secret value, and its base64 and URL-encoded forms, with
// [REDACTED:NAME].
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace golive {

// One way a secret can appear in output: the raw value or an encoding of it.
struct SecretForm {
  std::string text;
  std::string kind;  // "raw", "base64", "base64url", "url-encoded"
};

// Every form of `value` worth looking for: raw; base64 and base64url with and without padding;
// the alignment-independent core of its base64 at each of the 3 offsets it can have inside a
// longer base64 stream; percent-encoded (upper/lower hex, `+` for space). Longest first.
std::vector<SecretForm> secret_forms(std::string_view value);

class Redactor {
 public:
  Redactor() = default;
  Redactor(const Redactor& other);
  Redactor& operator=(const Redactor& other);

  // Registers a secret; values shorter than 4 bytes are ignored (they would redact noise).
  void add(const std::string& name, const std::string& value);
  // Returns `text` with every registered secret form replaced. Thread-safe.
  std::string redact(std::string_view text) const;
  // Longest registered form, so stream redaction knows how much to hold back.
  std::size_t longest() const { return longest_; }
  bool empty() const { return forms_.empty(); }

 private:
  friend class StreamRedactor;
  struct Matcher;  // one compiled multi-literal search over every form (redactor.cc)
  struct Region {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::vector<std::string> names;
  };

  std::shared_ptr<const Matcher> matcher() const;
  // Spans of `text` covered by any form (overlapping matches merged), in order.
  std::vector<Region> regions(std::string_view text) const;
  // `text` with `regions` replaced by their labels.
  static std::string replace(std::string_view text, const std::vector<Region>& regions);

  std::vector<std::pair<std::string, std::string>> forms_;  // (form, NAME)
  std::size_t longest_ = 0;
  mutable std::mutex mu_;                           // guards matcher_
  mutable std::shared_ptr<const Matcher> matcher_;  // built on first use after add()
};

// Redacts a stream that arrives in chunks: holds back just enough bytes that a secret split
// across two chunks is still caught, and emits everything on flush().
class StreamRedactor {
 public:
  StreamRedactor(const Redactor& redactor, std::function<void(std::string_view)> sink);
  void write(std::string_view chunk);
  void flush();

 private:
  const Redactor& redactor_;
  std::function<void(std::string_view)> sink_;
  std::string pending_;
};

// Names whose values are secret by default (contain KEY, SECRET, TOKEN, PASSWORD, PASS, ...).
bool looks_secret_name(std::string_view name);

}  // namespace golive
