// HMAC-SHA-256 of bytes, as lowercase hex (short, non-reversible fingerprints of env values).
#pragma once

#include <string>
#include <string_view>

namespace golive {

// Lowercase hex HMAC-SHA-256 of `message` under `key` (64 hex characters).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

}  // namespace golive
