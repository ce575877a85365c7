// Restoring the last good release: switch `current` back on every host that switched, undo
// completed steps in reverse order, run the runbook's rollback steps — in parallel across hosts
// and within a deadline. Used by the automatic rollback of a deploy and by `golive rollback`.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "golive/remote_host.h"
#include "golive/step_result.h"
#include "orchestrator/context/reporter.h"
#include "orchestrator/release/executor.h"
#include "orchestrator/release/plan.h"

namespace golive {

struct HostRollback {
  RemoteHost* remote = nullptr;
  const HostPlan* plan = nullptr;  // root, failed release dir, rendered rollback steps
  bool switched = false;           // `current` must be switched to `restore_to` here
  std::string restore_to;          // the rollback target (the same on every host)
  std::string serving;             // what `current` pointed at before (kept where !switched)
  std::vector<PlannedStep> undo;   // undo commands to run here, already in reverse order
  // This run created the release dir here and it never went live: delete it. Never set for a
  // dir this run did not make (same id from elsewhere) nor one `current` points at.
  bool remove_release_dir = false;
};

struct RollbackRequest {
  std::string leaving;  // release id being rolled back (marked bad on every host)
  std::vector<HostRollback> hosts;
  std::chrono::steady_clock::time_point deadline;  // failure time + budget
};

// Whether the rollback switches any host (then the restore is verified with the checks).
bool restores_any(const RollbackRequest& request);

struct RollbackResult {
  bool ok = true;
  bool over_budget = false;
  std::string failure;            // first problem, naming host and step
  std::vector<StepResult> steps;  // every rollback action, per host
};

// Builds the per-host rollback work for a deploy that failed after `execution`: every host that
// switched, or that served something other than `target` before the deploy (an unchecked
// release left by a killed deploy), is switched to `target`, the newest good release.
// `previous[i]` is what `current` pointed at on host i before the deploy; `created[i]` whether
// this deploy made the release dir on host i.
RollbackRequest rollback_for_deploy(const Plan& plan, const ExecutionResult& execution,
                                    const std::vector<RemoteHost*>& remotes,
                                    const std::vector<std::string>& previous,
                                    const std::string& target, const std::vector<char>& created,
                                    std::chrono::steady_clock::time_point deadline);

// Runs the rollback; every step gets min(its timeout, time left before the deadline).
RollbackResult run_rollback(const RollbackRequest& request, Reporter& reporter,
                            const ExecutionObserver& observer);

}  // namespace golive
