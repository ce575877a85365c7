// Renders ledger records for `golive history` and `golive show`, as text and as JSON.
#pragma once

#include <string>
#include <vector>

#include "golive/ledger.h"

namespace golive {

// One aligned line per release (after a header): id, env, short commit + subject, who, when,
// status, duration. Untrusted text (subjects, names) is stripped of control characters.
std::string format_history(const std::vector<ReleaseRecord>& releases);

// The whole story of one release: header, steps per phase and host with timings, exit and
// outcome and output tail, checks, events, rollback, reason.
std::string format_show(const ReleaseDetail& detail);

// JSON text (an array of releases; one release object with steps/checks/events), each release
// with a computed duration_ms (-1 while running).
std::string history_json(const std::vector<ReleaseRecord>& releases);
std::string show_json(const ReleaseDetail& detail);

// Milliseconds since the epoch of an ISO-8601 UTC time; -1 when missing or unparsable.
long long iso8601_ms(const std::string& time);

// finished - started in ms for ISO-8601 UTC times; -1 when either is missing or unparsable.
long long duration_ms(const std::string& started_at, const std::string& finished_at);

}  // namespace golive
