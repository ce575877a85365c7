// SHA-256 (OpenSSL libcrypto): one-shot and streaming, as lowercase hex. Used for the runbook's
// content hash, the ledger's hash chain and the upload stream's end-to-end check.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace golive {

// Lowercase hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

// SHA-256 of a stream of byte chunks, fed as they come (the upload archive as it is built).
class Sha256 {
 public:
  Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  ~Sha256();
  // Adds the next chunk of the stream.
  void update(std::string_view bytes);
  // Lowercase hex digest of everything added; the object is then spent (update throws).
  std::string hex_digest();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace golive
