#include "orchestrator/adapters/crypto/sha256.h"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

#include "orchestrator/adapters/crypto/encoding.h"

namespace golive {

namespace {

// Only an out-of-memory condition or a broken libcrypto gets here: fatal, not a user error.
[[noreturn]] void digest_failed() {
  throw std::runtime_error("OpenSSL SHA-256 failed");
}

}  // namespace

struct Sha256::Impl {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  bool done = false;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx.get(), EVP_sha256(), nullptr) != 1) {
    digest_failed();
  }
}
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;
Sha256::~Sha256() = default;

void Sha256::update(std::string_view bytes) {
  if (impl_->done || EVP_DigestUpdate(impl_->ctx.get(), bytes.data(), bytes.size()) != 1) {
    digest_failed();
  }
}

std::string Sha256::hex_digest() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  if (impl_->done || EVP_DigestFinal_ex(impl_->ctx.get(), digest.data(), &len) != 1) {
    digest_failed();
  }
  impl_->done = true;
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), len));
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1) {
    digest_failed();
  }
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), len));
}

}  // namespace golive
