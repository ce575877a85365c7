// The end of a deploy, told to the CI system: built from the ledger's record of the release (its
// steps per host and its checks) and what each host served before.
#pragma once

#include <string>
#include <vector>

#include "golive/ledger.h"
#include "golive/vocabulary.h"
#include "orchestrator/context/app_context.h"

namespace golive {

struct DeployEnding {
  std::string release_id;
  std::string environment;
  ReleaseStatus status = ReleaseStatus::kRunning;  // how the ledger records it
  int exit_code = 0;
  std::string why;
  std::string commit, subject, deployer;
  std::vector<std::string> hosts;     // in plan order
  std::vector<std::string> previous;  // what each host served before ("" when nothing)
  std::string rollback_target;        // the release a rollback restores (newest recorded good)
};

// The outcome name CI outputs use: succeeded | rolled_back | rollback_failed | blocked | failed.
std::string ci_outcome(ReleaseStatus status, int exit_code);

// Publishes `ending` (summary, annotations, outputs) when running under a CI that has them;
// `ledger` (may be null) supplies the per-host steps and the gate's checks.
void publish_deploy_to_ci(AppContext& app, Ledger* ledger, const DeployEnding& ending);

}  // namespace golive
