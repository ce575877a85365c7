// The one redactor between every output sink and the world (console, logs, ledger, JSON, errors,
// notifications). Replaces each secret value, and its base64 and URL-encoded forms, with
// [REDACTED:NAME].
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace golive {

class Redactor {
 public:
  // Registers a secret; values shorter than 4 bytes are ignored (they would redact noise).
  void add(const std::string& name, const std::string& value);
  // Returns `text` with every registered secret form replaced.
  std::string redact(std::string_view text) const;
  // Longest registered form, so stream redaction knows how much to hold back.
  std::size_t longest() const { return longest_; }
  bool empty() const { return forms_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> forms_;  // (form, NAME)
  std::size_t longest_ = 0;
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
