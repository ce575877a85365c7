// What an environment serves versus what a deploy of a ref would ship: reads the live release
// from the hosts (host state + its manifest) and git, and builds the insight ReleaseDiff.
#pragma once

#include <map>
#include <string>

#include "golive/git_repo.h"
#include "golive/runbook.h"
#include "orchestrator/insight/release_diff.h"
#include "orchestrator/release/target.h"

namespace golive {

// The side a deploy of `commit` would record in its manifest: runbook hash and sections, env
// key names and fingerprints (values never leave this function).
ReleaseSide target_side(const Runbook& runbook, const Environment& env, const std::string& commit,
                        const std::map<std::string, std::string>& env_values);

// The manifest fields a deploy adds for later diffs, as (key, JSON-ready map) pairs.
std::map<std::string, std::map<std::string, std::string>> manifest_insight_fields(
    const ReleaseSide& side);

// Reads the live release of `env` from its first host (warns through the reporter when the
// hosts disagree) and compares it with `target`. Commits come from `repo`; a live commit the
// repository lacks is said in commits_note, env and runbook are still compared.
Result<ReleaseDiff> read_live_diff(AppContext& app, const Runbook& runbook, const Environment& env,
                                   ConnectedFleet& fleet, GitRepo& repo, const std::string& ref,
                                   const ReleaseSide& target);

// The live side of host 0 from the state already read (deploy reads it anyway).
ReleaseDiff diff_against_live(RemoteHost& host, const std::string& root,
                              const std::string& live_release, GitRepo& repo,
                              const std::string& environment, const std::string& ref,
                              const ReleaseSide& target);

}  // namespace golive
