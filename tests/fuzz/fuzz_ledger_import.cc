// libFuzzer target: what the ledger takes from outside: a host's releases.log (ledger sync) and
// the JSON payloads of records (readers must tolerate any shape; canonical_json never throws).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "orchestrator/ledger/host_log.h"
#include "orchestrator/ledger/ledger_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& line : golive::parse_host_log(text)) {
    auto r = golive::release_from_host_log(line, "app", "production", "web1");
    if (r) {
      if (r->id.empty()) __builtin_trap();
      static_cast<void>(golive::canonical_json(golive::release_to_json(*r)));
    }
    static_cast<void>(golive::host_log_field(line, "ledger_head"));
  }
  if (auto j = golive::Json::parse(text)) {
    static_cast<void>(golive::canonical_json(*j));
    static_cast<void>(golive::release_from_json(*j));
    static_cast<void>(golive::step_from_json(*j));
    static_cast<void>(golive::check_from_json(*j));
    static_cast<void>(golive::event_from_json(*j));
  }
  return 0;
}
