// A host's .golive/releases.log (one JSON object per line, written by every deploy and rollback)
// read back as ledger records for `ledger sync` and `ledger verify --hosts`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "golive/ledger.h"
#include "orchestrator/adapters/json/json.h"

namespace golive {

// The JSON objects of a releases.log; garbage lines (not JSON, not an object) are skipped,
// because a host's file is outside our control and must never stop a sync.
std::vector<Json> parse_host_log(std::string_view text);

// The string at `key` of a releases.log line, "" when missing or not a string.
std::string host_log_field(const Json& line, const char* key);

// The release a deploy or rollback line describes, ready for Ledger::import_release; nullopt for
// other events and for lines without an id.
std::optional<ReleaseRecord> release_from_host_log(const Json& line, const std::string& app,
                                                   const std::string& environment,
                                                   const std::string& host);

}  // namespace golive
