// JSON forms of the insight data (`--json` of diff and stats) and the reader of a release
// manifest's insight fields.
#pragma once

#include <string>

#include "orchestrator/insight/dora_stats.h"
#include "orchestrator/insight/release_diff.h"

namespace golive {

// `golive diff --json`: names and fingerprints only (the inputs hold no value).
std::string diff_json(const ReleaseDiff& diff);

// `golive stats --json`: milliseconds for durations, null where there is no sample.
std::string stats_json(const DoraStats& stats);

// The live side from a release manifest (.golive-release.json); tolerant of old manifests
// (no env_keys/runbook_sections) and of garbage (an empty side).
ReleaseSide side_from_manifest(const std::string& manifest_json);

}  // namespace golive
