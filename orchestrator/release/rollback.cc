#include "orchestrator/release/rollback.h"

#include <algorithm>
#include <mutex>

#include "golive/crash_point.h"
#include "golive/parallel.h"
#include "golive/shell_quote.h"
#include "steps/release_layout.h"
#include "steps/step.h"

namespace golive {
namespace {

using SteadyClock = std::chrono::steady_clock;

Millis time_left(SteadyClock::time_point deadline) {
  return std::chrono::duration_cast<Millis>(deadline - SteadyClock::now());
}

StepResult admin_step(const std::string& name, const std::string& host, const Status& s,
                      SteadyClock::time_point t0) {
  StepResult r = make_step_result(name, host, s ? StepOutcome::kOk : StepOutcome::kFailed);
  r.duration = std::chrono::duration_cast<Millis>(SteadyClock::now() - t0);
  r.started = std::chrono::system_clock::now() - r.duration;
  r.exit_status = s ? 0 : 1;
  if (!s) r.error = s.error().message;
  return r;
}

}  // namespace

RollbackRequest rollback_for_deploy(const Plan& plan, const ExecutionResult& execution,
                                    const std::vector<RemoteHost*>& remotes,
                                    const std::vector<std::string>& previous,
                                    const std::string& target, const std::vector<char>& created,
                                    std::chrono::steady_clock::time_point deadline) {
  RollbackRequest req;
  req.leaving = plan.release_id;
  req.deadline = deadline;
  for (std::size_t i = 0; i < plan.hosts.size(); ++i) {
    const HostRun& run = execution.hosts[i];
    HostRollback h;
    h.remote = remotes[i];
    h.plan = &plan.hosts[i];
    h.switched = run.switched || (!target.empty() && !previous[i].empty() && previous[i] != target);
    h.restore_to = target;
    h.serving = previous[i];
    h.remove_release_dir = !run.switched && i < created.size() && created[i] != 0;
    // Undo what completed here, newest first; skipped `once` steps were undone on the first host.
    for (auto it = run.results.rbegin(); it != run.results.rend(); ++it) {
      if (it->outcome != StepOutcome::kOk) continue;
      auto step = std::find_if(plan.hosts[i].steps.begin(), plan.hosts[i].steps.end(),
                               [&](const PlannedStep& s) { return s.name == it->step; });
      if (step != plan.hosts[i].steps.end() && !step->undo.empty()) h.undo.push_back(*step);
    }
    req.hosts.push_back(std::move(h));
  }
  return req;
}

bool restores_any(const RollbackRequest& request) {
  return std::any_of(request.hosts.begin(), request.hosts.end(),
                     [](const HostRollback& h) { return h.switched; });
}

namespace {

// One rollback's shared state: the result every host's restore reports into, and the budget.
class Restorer {
 public:
  Restorer(const RollbackRequest& request, Reporter& reporter, const ExecutionObserver& observer)
      : request_(request), reporter_(reporter), observer_(observer) {}

  // Restores one host, in the order customers feel it; stops at its first failed step.
  void restore(HostRollback& host) {
    if (!switch_back(host)) return;
    if (!undo_completed_steps(host)) return;
    if (!run_rollback_steps(host)) return;
    retire_failed_release(host);
  }

  RollbackResult take_result() {
    if (time_left(request_.deadline) < Millis(0) && !result_.ok) result_.over_budget = true;
    return std::move(result_);
  }

 private:
  void record(const StepResult& r) {
    if (observer_.step_finished) observer_.step_finished(r);
    std::lock_guard lock(mu_);
    result_.steps.push_back(r);
    if (r.ok()) return;
    result_.ok = false;
    if (r.outcome == StepOutcome::kTimedOut && time_left(request_.deadline) <= Millis(0)) {
      result_.over_budget = true;
    }
    if (result_.failure.empty()) {
      result_.failure = r.host + ": rollback step '" + r.step + "' " + r.error;
    }
  }

  // Runs one command within what is left of the budget. `env_of`: the release whose env file the
  // command loads (the one whose code it runs).
  bool run_cmd(HostRollback& h, const PlannedStep& step, const std::string& cwd,
               const std::string& env_of) {
    Millis left = time_left(request_.deadline);
    if (left <= Millis(0)) {
      StepResult r = make_step_result(step.name, h.plan->host.name, StepOutcome::kTimedOut);
      r.started = std::chrono::system_clock::now();
      r.error = "not started: the rollback budget is exhausted";
      record(r);
      return false;
    }
    ExecRequest req;
    req.command = remote_command(h.plan->root, cwd, env_of, step.command);
    req.timeout = std::min(step.timeout.count() > 0 ? step.timeout : left, left);
    req.on_output = reporter_.stream_for(h.plan->host.name);
    auto started = std::chrono::system_clock::now();  // the ledger records when it ran
    StepResult r = step_result_from(step.name, h.plan->host.name, h.remote->exec(req));
    r.started = started;
    reporter_.flush_stream(h.plan->host.name);
    if (r.outcome == StepOutcome::kTimedOut && req.timeout == left) {
      r.error = "exceeded the rollback budget (timed out with " + format_duration(left) +
                " left); its process group was killed";
    }
    record(r);
    return r.ok();
  }

  // 1. `current` first: customers get the good release back before anything else.
  bool switch_back(HostRollback& host) {
    if (!host.switched) return true;
    const std::string& name = host.plan->host.name;
    auto t0 = SteadyClock::now();
    if (host.restore_to.empty()) {
      StepResult r = make_step_result("switch back", name, StepOutcome::kFailed);
      r.started = std::chrono::system_clock::now();
      r.error = "no previous good release on this host to restore";
      record(r);
      return false;
    }
    auto s = switch_current(*host.remote, host.plan->root, host.restore_to, {}, "");
    record(admin_step("switch back to " + host.restore_to, name, s, t0));
    crash_point("after-switch-back", name);
    return static_cast<bool>(s);
  }

  // 2. Undo completed steps, newest first (in the release being left, whose code has them).
  bool undo_completed_steps(HostRollback& host) {
    for (const auto& step : host.undo) {
      PlannedStep undo = step;
      undo.name = "undo " + step.name;
      undo.command = step.undo;
      if (!run_cmd(host, undo, host.plan->release_dir, request_.leaving)) return false;
    }
    return true;
  }

  // 3. The runbook's rollback steps, in the restored release's own directory (its physical
  //    path, as deploy steps see theirs, so `../..` is the release root).
  bool run_rollback_steps(HostRollback& host) {
    if (!host.switched) return true;
    for (const auto& step : host.plan->rollback) {
      if (!run_cmd(host, step, host.plan->root + "/releases/" + host.restore_to, host.restore_to)) {
        return false;
      }
    }
    return true;
  }

  // 4. Never offer the failed release again; drop it where it never went live. On a host that
  //    never switched this is bookkeeping: a full disk or a dropped connection there does not
  //    fail the rollback once the host is verified to still serve what it served.
  void retire_failed_release(HostRollback& host) {
    const std::string& name = host.plan->host.name;
    auto t0 = SteadyClock::now();
    std::string bookkeeping;
    if (!request_.leaving.empty()) {
      auto s = mark_release(*host.remote, host.plan->root, request_.leaving, false);
      if (!s && host.switched) record(admin_step("mark " + request_.leaving + " bad", name, s, t0));
      if (!s) bookkeeping = s.error().message;
    }
    if (host.remove_release_dir) {
      auto s = remove_release_dir(*host.remote, host.plan->root, request_.leaving);
      if (!s && host.switched) record(admin_step("remove release dir", name, s, t0));
      if (!s && bookkeeping.empty()) bookkeeping = s.error().message;
    }
    if (host.switched || bookkeeping.empty()) return;
    auto st = read_host_state(*host.remote, host.plan->root);
    if (st && st->current == host.serving) {
      reporter_.warn(name + ": still serves " +
                     (host.serving.empty() ? std::string("nothing") : host.serving) +
                     " (verified); clean-up incomplete: " + bookkeeping);
      return;
    }
    Status s =
        fail(bookkeeping + "; and " + name + " could not be verified to serve " + host.serving +
             (st ? " (current: " + st->current + ")" : ": " + st.error().message));
    record(admin_step("verify " + name + " still serves " + host.serving, name, s, t0));
  }

  const RollbackRequest& request_;
  Reporter& reporter_;
  const ExecutionObserver& observer_;
  std::mutex mu_;  // guards result_ (hosts restore in parallel)
  RollbackResult result_;
};

}  // namespace

RollbackResult run_rollback(const RollbackRequest& request, Reporter& reporter,
                            const ExecutionObserver& observer) {
  Restorer restorer(request, reporter, observer);
  std::vector<HostRollback> hosts = request.hosts;
  // Every host at once (each owns its session): on-call seconds matter.
  parallel_for(hosts.size(), workers::kHosts, [&](std::size_t i) { restorer.restore(hosts[i]); });
  return restorer.take_result();
}

}  // namespace golive
