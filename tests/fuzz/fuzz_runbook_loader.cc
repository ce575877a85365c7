// libFuzzer target: golive.yml text -> Runbook or diagnostics. Any bytes must end in a runbook or
// in errors with a position, never a crash, a hang or an unbounded allocation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "golive/runbook_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const golive::LoadResult r = golive::load_runbook_text(text, "golive.yml");
  if (!r.runbook && r.errors.empty()) __builtin_trap();  // neither a runbook nor a reason
  for (const auto& d : r.errors) {
    if (golive::format_diagnostic(d).empty()) __builtin_trap();
  }
  return 0;
}
