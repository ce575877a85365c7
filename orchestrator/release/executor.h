// Fleet execution: hosts in batches, up to `parallel` at once within a batch, steps in runbook
// order on each host; `once` and local steps run on the first host while the others wait at
// that step; the rollout stops once more than `max_fail` hosts failed.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "golive/step_result.h"
#include "steps/step.h"

namespace golive {

// Per-host record of what the deploy did there (what rollback must undo).
struct HostRun {
  std::string host;
  std::vector<StepResult> results;  // one per step attempted, in order
  bool switched = false;            // `current` points at the new release
};

struct ExecutionResult {
  bool ok = true;
  std::string failure;          // first failure, "web2: step 'migrate' exited with status 1"
  std::vector<HostRun> hosts;   // index-aligned with Plan::hosts
  bool gate_failed = false;     // a batch's gate stopped the rollout (failure says why)
  std::size_t batches_run = 0;  // batches whose steps started; later ones never touched a host
  bool any_switched() const;
};

// Called as steps start and finish (console, ledger); may be called from many threads.
struct ExecutionObserver {
  std::function<void(const std::string& host, const PlannedStep&)> step_started;
  std::function<void(const StepResult&)> step_finished;
  // A batch of hosts begins (index from 0, number of batches, its hosts' names).
  std::function<void(std::size_t batch, std::size_t batches, const std::vector<std::string>&)>
      batch_started;
  // Asked before each switch step: a non-empty reason refuses the switch and stops the rollout.
  std::function<std::string()> may_switch;
};

// Gates one finished batch (index from 0) before the next starts: "" lets the rollout go on,
// anything else stops it with that as the failure.
using BatchGate = std::function<std::string(std::size_t batch)>;

// Runs the plan. `contexts[i]` is the StepContext for plan.hosts[i]. `cancel` (Ctrl-C) stops
// everything at once; running remote commands are killed. `gate`, when set, runs after each
// batch whose hosts all finished; a failure there stops the rollout (gate_failed).
ExecutionResult execute_plan(const Plan& plan, std::vector<StepContext>& contexts,
                             const ExecutionObserver& observer, const std::atomic<bool>& cancel,
                             const BatchGate& gate = nullptr);

}  // namespace golive
