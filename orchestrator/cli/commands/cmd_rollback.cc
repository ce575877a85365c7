// `golive rollback ENV [--to ID] --reason T`: the on-call path. Reads what is live from the
// hosts (works with an empty ledger), restores the previous good release, verifies it.
#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "golive/crash_point.h"
#include "golive/env_check.h"
#include "golive/vocabulary.h"
#include "orchestrator/adapters/json/json.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/release/gate_runner.h"
#include "orchestrator/release/identity.h"
#include "orchestrator/release/notify.h"
#include "orchestrator/release/plan.h"
#include "orchestrator/release/reconnecting_host.h"
#include "orchestrator/release/release_ending.h"
#include "orchestrator/release/release_recorder.h"
#include "orchestrator/release/remote_lock.h"
#include "orchestrator/release/rollback.h"
#include "orchestrator/release/target.h"
#include "steps/release_layout.h"

namespace golive {
namespace {

// The commit a release on `host` was built from, per its manifest; "" when unreadable.
std::string release_commit(RemoteHost& host, const std::string& root, const std::string& id) {
  auto text = host.read_file(root + "/releases/" + id + "/.golive-release.json");
  if (!text) return "";
  auto j = Json::parse(*text);
  if (!j || !j->is_object()) return "";
  const Json* commit = j->find("commit");
  return commit != nullptr && commit->is_string() ? commit->as_string() : "";
}

}  // namespace

namespace {

// One on-call rollback as a short script of phases; each returns nullopt to go on, or the exit
// code it ended with.
class ManualRollback {
 public:
  ManualRollback(AppContext& app, const RollbackArgs& args)
      : app_(app), args_(args), rep_(*app.reporter), started_(std::chrono::steady_clock::now()) {}

  int run() {
    // 1. The runbook and what the hosts serve now (the hosts are the truth, not the ledger).
    if (auto end = read_hosts()) return *end;
    // 2. Decide the one target for every host; refuse anything unsafe before touching a host.
    if (auto end = choose_target()) return *end;
    // 3. The lock: never roll back under a running deploy, unless it is stale and --force.
    if (auto end = take_lock()) return *end;
    // 4. Record it (a broken ledger must not stop an on-call rollback: warn loudly instead).
    open_record();
    crash_point("rollback-started");
    // 5. The same rollback path as an automatic one, then the same checks.
    auto restored = restore_and_verify();
    if (!restored) {
      (void)lock_.release();
      return done(restored.error().exit, restored.error().message);
    }
    // 6. The same ending as a deploy's: ledger, every host's releases.log, the lock,
    //    notifications, --json, the summary.
    return finish(*restored);
  }

 private:
  using End = std::optional<int>;

  // How the restore went, for the ending.
  struct Restored {
    ReleaseStatus status = ReleaseStatus::kRolledBack;
    std::string why;  // empty when restored and verified
    ExitCode code = ExitCode::kOk;
    long long restore_ms = 0;  // from the command's start to every host restored
  };

  int done(ExitCode code, const std::string& message) {
    if (code == ExitCode::kOk || code == ExitCode::kRolledBack)
      rep_.summary(message);
    else
      rep_.error(message);
    return static_cast<int>(code);
  }

  End read_hosts() {
    auto rb = load_runbook(app_);
    if (!rb) return static_cast<int>(rb.error().exit);
    rb_ = std::move(*rb);
    auto env_found = find_environment(rb_, args_.environment);
    if (!env_found) return done(env_found.error().exit, env_found.error().message);
    env_ = *env_found;
    values_ = available_env_values(app_, rb_, env_->name);
    auto fleet = connect_fleet(app_, rb_, *env_);
    if (!fleet) return done(fleet.error().exit, fleet.error().message);
    fleet_ = std::move(*fleet);
    reconnect_for_rollback(app_, rb_, *env_, fleet_);  // every command here may run twice
    const std::size_t n = env_->hosts.size();
    states_.resize(n);
    roots_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      auto root = host_root(rb_, *env_, env_->hosts[i]);
      if (!root) return done(ExitCode::kUsage, root.error().message);
      roots_[i] = *root;
    }
    // One round trip per host, all hosts at once: on-call seconds matter.
    std::vector<std::string> read_errors(n);
    for_each_host_parallel(n, [&](std::size_t i) {
      auto st = read_host_state(*fleet_.hosts[i], roots_[i]);
      if (st)
        states_[i] = std::move(*st);
      else
        read_errors[i] = st.error().message;
    });
    for (const auto& e : read_errors) {
      if (!e.empty()) return done(ExitCode::kInfra, e);
    }
    EndingScope scope{{}, roots_, &rb_.notify, &env_->vars, &values_};
    for (auto& host : fleet_.hosts) scope.hosts.push_back(host.get());
    ending_.set_scope(std::move(scope));
    return std::nullopt;
  }

  // Releases the ledger recorded as succeeded for this environment (empty without a ledger).
  std::set<std::string> recorded_good() {
    std::set<std::string> good;
    if (auto ledger = ReleaseRecorder::open_ledger(app_, ledger_path(app_, &rb_))) {
      HistoryQuery q;
      q.environment = env_->name;
      q.limit = 200;
      if (auto rows = (*ledger)->history(q)) {
        for (const auto& r : *rows) {
          if (is(r.status, ReleaseStatus::kSucceeded)) good.insert(r.id);
        }
        // The newest record an on-call rollback that died midway (kill -9, a lost terminal):
        // the next rollback finishes that one instead of rolling back one release further.
        if (!rows->empty() && is(rows->front().status, ReleaseStatus::kInterrupted) &&
            rows->front().trigger == "rollback") {
          interrupted_ = rows->front();
        }
      }
    }
    return good;
  }

  // Without --to: the newest release recorded good (hosts' marks, the ledger) older than the
  // newest release any host serves; a mixed fleet ends on that one release everywhere.
  End choose_target() {
    for (const auto& st : states_) {  // the newest release live on any host: the one left
      if (st.current.substr(0, st.current.find('-')) >= leaving_.substr(0, leaving_.find('-')) &&
          !st.current.empty()) {
        leaving_ = st.current;
      }
    }
    target_ = args_.to;
    std::set<std::string> good = target_.empty() ? recorded_good() : std::set<std::string>{};
    if (target_.empty() && resumes_interrupted()) {
      target_ = interrupted_->ref;
      leaving_ = interrupted_->previous_release;
      resuming_ = true;
      rep_.warn("resuming rollback " + interrupted_->id + " (interrupted): " + leaving_ + " -> " +
                target_);
    }
    if (target_.empty()) {
      target_ = previous_good_release(states_, leaving_, good);
      if (target_.empty()) {
        return done(ExitCode::kUsage,
                    "no earlier good release present on every host to restore "
                    "(live: " +
                        (leaving_.empty() ? "none" : leaving_) + ")");
      }
    }
    for (std::size_t i = 0; i < env_->hosts.size(); ++i) {
      const HostState& st = states_[i];
      const std::string& name = env_->hosts[i].name;
      if (!st.has(target_)) {
        return done(ExitCode::kUsage, name + " does not have release " + target_ +
                                          " (present: `golive releases " + env_->name + "`)");
      }
      if (st.is_bad(target_) && !args_.force) {
        return done(ExitCode::kUsage,
                    "release " + target_ + " is marked bad on " + name +
                        " (it was rolled back); use --force to restore it anyway");
      }
      rep_.info(name + ": live " + (st.current.empty() ? "(none)" : st.current) + " -> restore " +
                target_ + (target_ == st.current ? " (already live)" : ""));
    }
    rep_.info("rollback target: " + target_ +
              (args_.to.empty() ? " (the newest release recorded good)" : " (--to)"));
    if (!confirm(app_, "Roll back " + env_->name + " as shown?", true)) {
      return done(ExitCode::kUsage, "rollback cancelled");
    }
    return std::nullopt;
  }

  // An interrupted rollback is resumed when its target is still on every host and every host
  // serves either its target or the release it was leaving (nothing was deployed since).
  bool resumes_interrupted() const {
    if (!interrupted_ || interrupted_->ref.empty()) return false;
    return std::all_of(states_.begin(), states_.end(), [&](const HostState& st) {
      return st.has(interrupted_->ref) &&
             (st.current == interrupted_->ref || st.current == interrupted_->previous_release);
    });
  }

  End take_lock() {
    deployer_ = detect_deployer(nullptr, app_.process_env);
    LockOwner owner{deployer_,  local_host_name(),           std::to_string(getpid()),
                    "rollback", iso8601(app_.clock->wall()), app_.redactor.redact(args_.reason)};
    RemoteHost& lock_host = *fleet_.hosts[0];
    auto lock = acquire_lock_reclaiming(lock_host, roots_[0], owner, broken_holder_);
    broke_lock_ = !broken_holder_.empty();
    if (lock) {
      lock_.held(lock_host, roots_[0]);
      return std::nullopt;
    }
    auto st = lock_status(lock_host, roots_[0]);
    if (!args_.force || !st || !st->stale) {
      return done(lock.error().exit,
                  lock.error().message + (st && st->stale ? " (stale: --force breaks it)" : ""));
    }
    broken_holder_ = describe_lock(*st);
    (void)release_lock(lock_host, roots_[0]);
    if (auto again = acquire_lock(lock_host, roots_[0], owner); !again) {
      return done(again.error().exit, again.error().message);
    }
    broke_lock_ = true;
    lock_.held(lock_host, roots_[0]);
    return std::nullopt;
  }

  void open_record() {
    app_.options.ledger_optional = true;
    rec_.id = make_release_id(app_.clock->wall(), "rollback", random_release_nonce());
    rec_.app = rb_.app;
    rec_.environment = env_->name;
    // commit: the restored release's commit (from its manifest on the host); ref: the restored
    // release id; previous_release: the release left.
    rec_.commit = release_commit(*fleet_.hosts[0], roots_[0], target_);
    rec_.ref = target_;
    rec_.subject = "rollback from " + leaving_ + " to " + target_;
    rec_.runbook_hash = rb_.content_hash;
    rec_.deployer = deployer_;
    rec_.trigger = "rollback";
    rec_.reason = app_.redactor.redact(args_.reason);
    rec_.started_at = iso8601(app_.clock->wall());
    rec_.previous_release = leaving_;
    (void)record_.open(app_, ledger_path(app_, &rb_), rec_);
    if (broke_lock_) record_.event(EventKind::kLockBroken, broken_holder_);
    record_.event(EventKind::kRollbackStarted,
                  "from " + leaving_ + " to " + target_ + ": " + args_.reason);
  }

  Result<Restored> restore_and_verify() {
    auto plan = make_plan(rb_, env_->name, target_, values_);
    if (!plan) return fail(plan.error().message, ExitCode::kUsage);
    RollbackRequest request;
    request.leaving = args_.to.empty() ? leaving_ : "";  // --to an older one: keep newer ones
    request.deadline = std::chrono::steady_clock::now() + rb_.budget.rollback;
    for (std::size_t i = 0; i < env_->hosts.size(); ++i) {
      HostRollback h;
      h.remote = fleet_.hosts[i].get();
      h.plan = &plan->hosts[i];
      // A resumed rollback may have switched a host back before it died, but not restarted it:
      // every host of a resumed rollback runs the rollback steps again.
      h.switched = resuming_ || target_ != states_[i].current;
      h.restore_to = target_;
      request.hosts.push_back(h);
    }
    RollbackResult result =
        run_rollback(request, rep_, reporting_observer(rep_, record_, Phase::kRollback));
    crash_point("after-rollback-restore");
    Restored r;
    r.restore_ms = elapsed_ms();
    if (!result.ok) {
      r.status = ReleaseStatus::kRollbackFailed;
      r.why = result.over_budget ? "exceeded its budget: " + result.failure : result.failure;
      r.code = ExitCode::kRollbackFailed;
    } else if (!plan->checks.empty()) {
      GateVerdict v = run_and_record_gate(app_, rb_.gate, plan->checks, fleet_.by_name,
                                          record_.ledger(), rec_.id, Phase::kVerify);
      if (!v.passed) {
        r.status = ReleaseStatus::kRollbackFailed;
        r.why = "the restored release fails its checks: " + gate_failure_summary(v);
        r.code = ExitCode::kRollbackFailed;
      }
    }
    return r;
  }

  // What this rollback's ending says; ReleaseEnding does the rest.
  int finish(const Restored& restored) {
    const auto& [status, why, code, restore_ms] = restored;
    const long long verified_ms = elapsed_ms();
    const bool ok = code == ExitCode::kOk;
    ReleaseOutcome outcome;
    outcome.status = status;
    outcome.code = code;
    outcome.time_to_restore_ms = ok ? verified_ms : -1;
    outcome.closing_event = {EventKind::kRollbackFinished,
                             str(status) + (why.empty() ? "" : ": " + why)};
    outcome.host_log = {{"event", "rollback"},
                        {"id", target_},
                        {"from", leaving_},
                        {"who", deployer_},
                        {"reason", app_.redactor.redact(args_.reason)},
                        {"outcome", str(status)},
                        {"rollback_id", rec_.id}};
    outcome.notifications.push_back({str(status), rb_.app, env_->name, rec_.id, target_, deployer_,
                                     ok ? "" : "rollback", why, ok ? verified_ms : -1});
    if (broke_lock_) {
      outcome.notifications.push_back(
          {"lock_broken", rb_.app, env_->name, rec_.id, "", deployer_, "", broken_holder_, -1});
    }
    outcome.summary = "rollback " + env_->name + " " + leaving_ + " -> " + target_ + ": " +
                      str(status) + " in " + std::to_string(restore_ms) + " ms" +
                      (why.empty() ? "" : ": " + why);
    outcome.summary_is_error = !ok && code != ExitCode::kRolledBack;
    outcome.result = {{"rollback", rec_.id},     {"environment", env_->name},
                      {"from", leaving_},        {"to", target_},
                      {"status", str(status)},   {"exit_code", static_cast<int>(code)},
                      {"restore_ms", restore_ms}};
    return ending_.end(outcome);
  }

  long long elapsed_ms() const {
    return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started_).count();
  }

  AppContext& app_;
  const RollbackArgs& args_;
  Reporter& rep_;
  const std::chrono::steady_clock::time_point started_;
  Runbook rb_;
  const Environment* env_ = nullptr;
  std::map<std::string, std::string> values_;
  ConnectedFleet fleet_;
  std::vector<HostState> states_;
  std::vector<std::string> roots_;
  std::string leaving_;  // the newest release live on any host: the one being rolled back
  std::string target_;   // the one release every host ends on
  std::string deployer_;
  std::string broken_holder_;
  bool broke_lock_ = false;
  std::optional<ReleaseRecord> interrupted_;  // the newest record: an interrupted rollback
  bool resuming_ = false;                     // this rollback finishes `interrupted_`
  ReleaseRecord rec_;
  ReleaseRecorder record_;
  HeldLock lock_;
  ReleaseEnding ending_{app_, record_, lock_};  // after record_ and lock_, which it uses
};

}  // namespace

int cmd_rollback(AppContext& app, const RollbackArgs& args) {
  return ManualRollback(app, args).run();
}

}  // namespace golive
