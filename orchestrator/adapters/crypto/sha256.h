// SHA-256 of bytes, as lowercase hex (the runbook's content hash).
#pragma once

#include <string>
#include <string_view>

namespace golive {

// Lowercase hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

}  // namespace golive
