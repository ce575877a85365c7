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

// Formats a duration exactly and compactly for humans ("1m30s", "250ms"); parse_duration reads
// it back.
std::string format_duration(Millis d);

// Formats an elapsed time for tables, truncated to two units: "45s", "2m03s", "1h02m"; "-" for a
// negative (unknown) duration.
std::string format_elapsed(Millis d);

// Seconds with `decimals` digits after the point, no unit: "1.250" (JUnit's time attribute).
std::string format_seconds(Millis d, int decimals);

}  // namespace golive
