// JSON shapes of ledger records: the chain's canonical payloads and the CLI's --json output.
#pragma once

#include <string>

#include "golive/ledger.h"
#include "orchestrator/adapters/json/json.h"

namespace golive {

Json release_to_json(const ReleaseRecord& release);
Json step_to_json(const StepRunRecord& step);
Json check_to_json(const CheckRecord& check);
Json event_to_json(const EventRecord& event);

// Readers tolerate missing keys and wrong types (defaults), so an old or tampered payload never
// throws; verify() then reports the mismatch.
ReleaseRecord release_from_json(const Json& j);
StepRunRecord step_from_json(const Json& j);
CheckRecord check_from_json(const Json& j);
EventRecord event_from_json(const Json& j);

// Deterministic text: sorted keys, no whitespace, invalid UTF-8 replaced by U+FFFD (never throws).
std::string canonical_json(const Json& j);

}  // namespace golive
