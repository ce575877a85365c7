// JSON shapes of ledger records: the chain's canonical payloads and the CLI's --json output.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "golive/ledger.h"

namespace golive {

nlohmann::json release_to_json(const ReleaseRecord& release);
nlohmann::json step_to_json(const StepRunRecord& step);
nlohmann::json check_to_json(const CheckRecord& check);
nlohmann::json event_to_json(const EventRecord& event);

// Readers tolerate missing keys and wrong types (defaults), so an old or tampered payload never
// throws; verify() then reports the mismatch.
ReleaseRecord release_from_json(const nlohmann::json& j);
StepRunRecord step_from_json(const nlohmann::json& j);
CheckRecord check_from_json(const nlohmann::json& j);
EventRecord event_from_json(const nlohmann::json& j);

// Deterministic text: sorted keys, no whitespace, invalid UTF-8 replaced by U+FFFD (never throws).
std::string canonical_json(const nlohmann::json& j);

}  // namespace golive
