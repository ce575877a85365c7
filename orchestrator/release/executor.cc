#include "orchestrator/release/executor.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>

#include "golive/crash_point.h"
#include "golive/parallel.h"

namespace golive {
namespace {

// Steps that run on the first host only. The others wait for them: a `once` migration must be
// done before any host switches to code that needs it.
bool runs_once(const PlannedStep& s) {
  return s.once || s.kind == StepKind::kLocal;
}

class OnceBarrier {
 public:
  void done(std::size_t step, bool ok) {
    std::lock_guard lock(mu_);
    state_.emplace(step, ok ? 1 : 2);  // the first verdict stands
    cv_.notify_all();
  }
  // Blocks until step `step` finished on the first host (or everything is abandoned).
  bool wait(std::size_t step, const std::atomic<bool>& abandon) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return state_.count(step) || abandon.load(); });
    return state_.count(step) && state_[step] == 1;
  }
  void wake_all() {
    std::lock_guard lock(mu_);
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::size_t, int> state_;
};

}  // namespace

bool ExecutionResult::any_switched() const {
  return std::any_of(hosts.begin(), hosts.end(), [](const HostRun& h) { return h.switched; });
}

namespace {

// Tells the observer which hosts batch `b` holds (the console's phase line, the ledger's event).
void announce_batch(const Plan& plan, std::size_t b, const ExecutionObserver& observer) {
  if (!observer.batch_started) return;
  std::vector<std::string> names;
  for (auto idx : plan.batches[b]) names.push_back(plan.hosts[idx].host.name);
  observer.batch_started(b, plan.batches.size(), names);
}

}  // namespace

ExecutionResult execute_plan(const Plan& plan, std::vector<StepContext>& contexts,
                             const ExecutionObserver& observer, const std::atomic<bool>& cancel,
                             const BatchGate& gate) {
  ExecutionResult result;
  result.hosts.resize(plan.hosts.size());
  for (std::size_t i = 0; i < plan.hosts.size(); ++i)
    result.hosts[i].host = plan.hosts[i].host.name;

  std::mutex mu;  // guards failures/result.failure/stop
  int failures = 0;
  std::atomic<bool> stop{false};
  OnceBarrier once;

  auto record_failure = [&](const StepResult& r) {
    std::lock_guard lock(mu);
    ++failures;
    if (result.failure.empty()) {
      result.failure = r.host + ": step '" + r.step + "' " + r.error;
    }
    if (failures > plan.strategy.max_fail) stop = true;
    once.wake_all();
  };

  auto run_host = [&](std::size_t idx) {
    const HostPlan& hp = plan.hosts[idx];
    HostRun& run = result.hosts[idx];
    for (std::size_t s = 0; s < hp.steps.size(); ++s) {
      if (stop || cancel) break;
      const PlannedStep& step = hp.steps[s];
      if (runs_once(step) && idx != 0) {
        if (!once.wait(s, stop)) {
          if (!stop) {
            StepResult blocked = make_step_result(step.name, hp.host.name, StepOutcome::kFailed);
            blocked.error = "not run: its `once` step failed on " + plan.hosts[0].host.name;
            run.results.push_back(blocked);
            record_failure(blocked);
          }
          break;
        }
        StepResult skipped = make_step_result(step.name, hp.host.name, StepOutcome::kSkipped);
        skipped.output = "once: ran on " + plan.hosts[0].host.name;
        run.results.push_back(skipped);
        continue;
      }
      if (step.kind == StepKind::kSwitch && observer.may_switch) {
        if (std::string why = observer.may_switch(); !why.empty()) {
          StepResult refused = make_step_result(step.name, hp.host.name, StepOutcome::kFailed);
          refused.error = "not run: " + why;
          run.results.push_back(refused);
          if (observer.step_finished) observer.step_finished(refused);
          record_failure(refused);
          stop = true;  // whatever max_fail tolerates: no host switches after this
          break;
        }
      }
      if (observer.step_started) observer.step_started(hp.host.name, step);
      StepResult r = run_step(step, contexts[idx]);
      if (step.kind == StepKind::kLocal) r.host = hp.host.name;
      run.results.push_back(r);
      if (observer.step_finished) observer.step_finished(r);
      crash_point("after-step", hp.host.name, step.name);
      // The failure is recorded before the waiting hosts are released, so the first failure
      // reported is this one (the cause), not a waiting host's "not run".
      if (!r.ok()) record_failure(r);
      if (runs_once(step)) once.done(s, r.ok());
      if (!r.ok()) break;
      if (step.kind == StepKind::kSwitch) run.switched = true;
    }
    // A host that stopped early must not leave others waiting on its `once` steps.
    if (idx == 0) {
      for (std::size_t s = 0; s < hp.steps.size(); ++s) {
        if (runs_once(hp.steps[s])) once.done(s, false);  // no-op for steps already done
      }
    }
  };

  for (std::size_t b = 0; b < plan.batches.size(); ++b) {
    const auto& batch = plan.batches[b];
    if (stop || cancel) break;
    announce_batch(plan, b, observer);
    // strategy.parallel hosts at once (the runbook's cap); a stop leaves the rest untouched.
    result.batches_run = b + 1;
    parallel_for(batch.size(), static_cast<std::size_t>(std::max(1, plan.strategy.parallel)),
                 [&](std::size_t i) {
                   if (!stop && !cancel) run_host(batch[i]);
                 });
    // The batch proves itself before the next one is touched.
    if (gate && !stop && !cancel) {
      if (std::string why = gate(b); !why.empty()) {
        result.failure = why;
        result.gate_failed = true;
        stop = true;
      }
    }
  }
  // Failures within max_fail are tolerated (reported per host); beyond it the rollout stopped.
  result.ok = !stop && !cancel;
  if (cancel && result.failure.empty()) result.failure = "interrupted by a signal";
  return result;
}

}  // namespace golive
