// `golive rollback ENV [--to ID] --reason T`: the on-call path. Reads what is live from the
// hosts (works with an empty ledger), restores the previous good release, verifies it.
#include <unistd.h>

#include <set>

#include "golive/env_check.h"
#include "orchestrator/adapters/json/json.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/release/gate_runner.h"
#include "orchestrator/release/identity.h"
#include "orchestrator/release/notify.h"
#include "orchestrator/release/plan.h"
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

int cmd_rollback(AppContext& app, const RollbackArgs& args) {
  Reporter& rep = *app.reporter;
  auto done = [&](ExitCode code, const std::string& message) {
    if (code == ExitCode::kOk || code == ExitCode::kRolledBack)
      rep.summary(message);
    else
      rep.error(message);
    return static_cast<int>(code);
  };
  auto started = std::chrono::steady_clock::now();
  // 1. The runbook and what the hosts serve now (the hosts are the truth, not the ledger).
  auto rb = load_runbook(app);
  if (!rb) return static_cast<int>(rb.error().exit);
  auto env_found = find_environment(*rb, args.environment);
  if (!env_found) return done(env_found.error().exit, env_found.error().message);
  const Environment& env = **env_found;
  auto values = available_env_values(app, *rb, env.name);
  auto fleet = connect_fleet(app, *rb, env);
  if (!fleet) return done(fleet.error().exit, fleet.error().message);

  std::vector<HostState> states(env.hosts.size());
  std::vector<std::string> roots(env.hosts.size());
  for (std::size_t i = 0; i < env.hosts.size(); ++i) {
    auto root = host_root(*rb, env, env.hosts[i]);
    if (!root) return done(ExitCode::kUsage, root.error().message);
    roots[i] = *root;
  }
  // One round trip per host, all hosts at once: on-call seconds matter.
  std::vector<std::string> read_errors(env.hosts.size());
  for_each_host_parallel(env.hosts.size(), [&](std::size_t i) {
    auto st = read_host_state(*fleet->hosts[i], roots[i]);
    if (st)
      states[i] = std::move(*st);
    else
      read_errors[i] = st.error().message;
  });
  for (const auto& e : read_errors) {
    if (!e.empty()) return done(ExitCode::kInfra, e);
  }

  // 2. Decide the one target for every host; refuse anything unsafe before touching a host.
  //    Without --to: the newest release recorded good (hosts' marks, the ledger) older than the
  //    newest release any host serves; a mixed fleet ends on that one release everywhere.
  std::string leaving;  // the newest release live on any host: the one being rolled back
  for (const auto& st : states) {
    if (st.current.substr(0, st.current.find('-')) >= leaving.substr(0, leaving.find('-')) &&
        !st.current.empty()) {
      leaving = st.current;
    }
  }
  std::string target = args.to;
  if (target.empty()) {
    std::set<std::string> recorded_good;
    {
      if (auto ledger = ReleaseRecorder::open_ledger(app, ledger_path(app, &*rb))) {
        HistoryQuery q;
        q.environment = env.name;
        q.limit = 200;
        if (auto rows = (*ledger)->history(q)) {
          for (const auto& r : *rows) {
            if (r.status == "succeeded") recorded_good.insert(r.id);
          }
        }
      }
    }
    target = previous_good_release(states, leaving, recorded_good);
    if (target.empty()) {
      return done(ExitCode::kUsage,
                  "no earlier good release present on every host to restore "
                  "(live: " +
                      (leaving.empty() ? "none" : leaving) + ")");
    }
  }
  for (std::size_t i = 0; i < env.hosts.size(); ++i) {
    const HostState& st = states[i];
    const std::string& name = env.hosts[i].name;
    if (!st.has(target)) {
      return done(ExitCode::kUsage, name + " does not have release " + target +
                                        " (present: `golive releases " + env.name + "`)");
    }
    if (st.is_bad(target) && !args.force) {
      return done(ExitCode::kUsage, "release " + target + " is marked bad on " + name +
                                        " (it was rolled back); use --force to restore it anyway");
    }
    rep.info(name + ": live " + (st.current.empty() ? "(none)" : st.current) + " -> restore " +
             target + (target == st.current ? " (already live)" : ""));
  }
  rep.info("rollback target: " + target +
           (args.to.empty() ? " (the newest release recorded good)" : " (--to)"));
  const std::vector<std::string> targets(env.hosts.size(), target);
  if (!confirm(app, "Roll back " + env.name + " as shown?", true)) {
    return done(ExitCode::kUsage, "rollback cancelled");
  }

  // 3. The lock: never roll back under a running deploy, unless it is stale and --force.
  std::string deployer = detect_deployer(nullptr, app.process_env);
  LockOwner owner{deployer,   local_host_name(),          std::to_string(getpid()),
                  "rollback", iso8601(app.clock->wall()), app.redactor.redact(args.reason)};
  ReleaseRecorder record;
  std::string broken_holder;
  auto lock = acquire_lock_reclaiming(*fleet->hosts[0], roots[0], owner, broken_holder);
  bool broke_lock = !broken_holder.empty();
  if (!lock) {
    auto st = lock_status(*fleet->hosts[0], roots[0]);
    if (!args.force || !st || !st->stale) {
      return done(lock.error().exit,
                  lock.error().message + (st && st->stale ? " (stale: --force breaks it)" : ""));
    }
    broken_holder = describe_lock(*st);
    (void)release_lock(*fleet->hosts[0], roots[0]);
    if (auto again = acquire_lock(*fleet->hosts[0], roots[0], owner); !again) {
      return done(again.error().exit, again.error().message);
    }
    broke_lock = true;
  }

  // 4. Record it (a broken ledger must not stop an on-call rollback: warn loudly instead).
  app.options.ledger_optional = true;
  ReleaseRecord rec;
  rec.id = make_release_id(app.clock->wall(), "rollback", random_release_nonce());
  rec.app = rb->app;
  rec.environment = env.name;
  // commit: the restored release's commit (from its manifest on the host); ref: the restored
  // release id; previous_release: the release left.
  rec.commit = release_commit(*fleet->hosts[0], roots[0], targets[0]);
  rec.ref = targets[0];
  rec.subject = "rollback from " + leaving + " to " + targets[0];
  rec.runbook_hash = rb->content_hash;
  rec.deployer = deployer;
  rec.trigger = "rollback";
  rec.reason = app.redactor.redact(args.reason);
  rec.started_at = iso8601(app.clock->wall());
  rec.previous_release = leaving;
  (void)record.open(app, ledger_path(app, &*rb), rec);
  if (broke_lock) record.event("lock_broken", broken_holder);
  record.event("rollback_started", "from " + leaving + " to " + targets[0] + ": " + args.reason);

  // 5. The same rollback path as an automatic one, then the same checks.
  auto plan = make_plan(*rb, env.name, targets[0], values);
  if (!plan) return done(ExitCode::kUsage, plan.error().message);
  RollbackRequest request;
  request.leaving = args.to.empty() ? leaving : "";  // --to an older release: keep newer ones
  request.deadline = std::chrono::steady_clock::now() + rb->budget.rollback;
  for (std::size_t i = 0; i < env.hosts.size(); ++i) {
    HostRollback h;
    h.remote = fleet->hosts[i].get();
    h.plan = &plan->hosts[i];
    h.switched = targets[i] != states[i].current;
    h.restore_to = targets[i];
    request.hosts.push_back(h);
  }
  RollbackResult result = run_rollback(request, rep, reporting_observer(rep, record, "rollback"));
  long long restore_ms =
      std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started).count();
  std::string status = "rolled_back", why;
  ExitCode code = ExitCode::kOk;
  if (!result.ok) {
    status = "rollback_failed";
    why = result.over_budget ? "exceeded its budget: " + result.failure : result.failure;
    code = ExitCode::kRollbackFailed;
  } else if (!plan->checks.empty()) {
    GateVerdict v = run_and_record_gate(app, rb->gate, plan->checks, fleet->by_name,
                                        record.ledger(), rec.id, "verify", "");
    if (!v.passed) {
      status = "rollback_failed";
      why = "the restored release fails its checks: " + gate_failure_summary(v);
      code = ExitCode::kRollbackFailed;
    }
  }
  long long verified_ms =
      std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started).count();
  record.event("rollback_finished", status + (why.empty() ? "" : ": " + why));
  record.finish(status, iso8601(app.clock->wall()), code == ExitCode::kOk ? verified_ms : -1);

  Json line = {{"time", iso8601(app.clock->wall())},
               {"event", "rollback"},
               {"id", targets[0]},
               {"from", leaving},
               {"who", deployer},
               {"reason", app.redactor.redact(args.reason)},
               {"outcome", status},
               {"rollback_id", rec.id},
               {"ledger_head", record.chain_head()}};
  const std::string log_line = app.redactor.redact(line.dump());
  for_each_host_parallel(env.hosts.size(), [&](std::size_t i) {
    (void)append_release_log(*fleet->hosts[i], roots[i], log_line);
  });
  (void)release_lock(*fleet->hosts[0], roots[0]);
  NotifyEvent event{status,
                    rb->app,
                    env.name,
                    rec.id,
                    targets[0],
                    deployer,
                    code == ExitCode::kOk ? "" : "rollback",
                    why,
                    code == ExitCode::kOk ? verified_ms : -1};
  send_notifications(app, rb->notify, env.vars, values, event, record.ledger());
  if (broke_lock) {
    NotifyEvent lb{"lock_broken", rb->app, env.name, rec.id, "", deployer, "", broken_holder, -1};
    send_notifications(app, rb->notify, env.vars, values, lb, record.ledger());
  }
  if (app.options.json) {
    std::printf("%s\n", app.redactor
                            .redact(Json({{"rollback", rec.id},
                                          {"environment", env.name},
                                          {"from", leaving},
                                          {"to", targets[0]},
                                          {"status", status},
                                          {"exit_code", static_cast<int>(code)},
                                          {"restore_ms", restore_ms}})
                                        .dump())
                            .c_str());
  }
  return done(code, "rollback " + env.name + " " + leaving + " -> " + targets[0] + ": " + status +
                        " in " + std::to_string(restore_ms) + " ms" +
                        (why.empty() ? "" : ": " + why));
}

}  // namespace golive
