// Durations as written in runbooks: "90s", "10m", "1h30m", "250ms".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace golive {

using Millis = std::chrono::milliseconds;

// Parses a positive duration made of <int><unit> groups (units h, m, s, ms); nullopt when invalid.
std::optional<Millis> parse_duration(std::string_view text);

// Formats a duration compactly for humans ("1m30s", "250ms").
std::string format_duration(Millis d);

}  // namespace golive
