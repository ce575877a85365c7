// Byte encodings shared by hashing and redaction: lowercase hex and standard base64.
#pragma once

#include <string>
#include <string_view>

namespace golive {

// Lowercase hex of `bytes`, two digits per byte.
std::string hex_encode(std::string_view bytes);

// Standard base64 (RFC 4648 alphabet, `=` padding, no line breaks) of `bytes`.
std::string base64_encode(std::string_view bytes);

}  // namespace golive
