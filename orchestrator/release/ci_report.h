// The end of a deploy, told to the CI system: built from the ledger's record of the release (its
// steps per host and its checks) and what each host served before.
#pragma once

#include <string>
#include <vector>

#include "golive/ledger.h"
#include "orchestrator/context/app_context.h"

namespace golive {

struct DeployEnding {
  std::string release_id;
  std::string environment;
  std::string status;  // the ledger status: succeeded|rolled_back|interrupted|...
  int exit_code = 0;
  std::string why;
  std::string commit, subject, deployer;
  std::vector<std::string> hosts;     // in plan order
  std::vector<std::string> previous;  // what each host served before ("" when nothing)
  std::string rollback_target;        // the release a rollback restores (newest recorded good)
};

// The outcome name CI outputs use: succeeded | rolled_back | rollback_failed | blocked | failed.
std::string ci_outcome(const std::string& status, int exit_code);

// Publishes `ending` (summary, annotations, outputs) when running under a CI that has them;
// `ledger` (may be null) supplies the per-host steps and the gate's checks.
void publish_deploy_to_ci(AppContext& app, Ledger* ledger, const DeployEnding& ending);

}  // namespace golive
