// libFuzzer target: a release manifest (.golive-release.json) read from a host for `golive diff`;
// a host's file is outside our control, so garbage must give an empty side, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "orchestrator/insight/insight_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  static_cast<void>(golive::side_from_manifest(text));
  return 0;
}
