// libFuzzer target: durations as written in runbooks ("1h30m", "250ms"). Property: whatever
// parses formats back to text that parses to the same value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "golive/duration.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto d = golive::parse_duration(text);
  if (!d) return 0;
  if (d->count() <= 0) __builtin_trap();  // "a positive duration"
  const auto again = golive::parse_duration(golive::format_duration(*d));
  if (!again || *again != *d) __builtin_trap();
  static_cast<void>(golive::format_elapsed(*d));
  static_cast<void>(golive::format_seconds(*d, 3));
  return 0;
}
