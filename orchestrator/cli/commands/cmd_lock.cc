// `golive lock status|release ENV`: who holds the remote deploy lock; break it (recorded).
#include "golive/vocabulary.h"
#include "orchestrator/adapters/json/json.h"
#include "orchestrator/cli/command_support.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/release/release_recorder.h"
#include "orchestrator/release/remote_lock.h"
#include "orchestrator/release/target.h"

namespace golive {
namespace {

// A session to the environment's first host (where the lock lives) and its release root.
struct LockHost {
  std::unique_ptr<RemoteHost> host;
  std::string root;
};

Result<LockHost> connect_lock_host(AppContext& app, const Target& t) {
  const Host& first = t.env().hosts[0];
  GOLIVE_TRY(host, app.make_connector(connect_options(t.runbook, t.env()))->connect(first));
  GOLIVE_TRY(root, host_root(t.runbook, t.env(), first));
  return LockHost{std::move(*host), *root};
}

// The lock host of `environment` and what its lock says now.
struct LockView {
  Target target;
  LockHost lock_host;
  LockStatus status;
};

Result<LockView> read_lock(AppContext& app, const std::string& environment) {
  GOLIVE_TRY(t, load_target(app, environment));
  GOLIVE_TRY(lh, connect_lock_host(app, *t));
  GOLIVE_TRY(st, lock_status(*lh->host, lh->root));
  return LockView{std::move(*t), std::move(*lh), *st};
}

}  // namespace

int cmd_lock_status(AppContext& app, const std::string& environment) {
  auto view = read_lock(app, environment);
  if (!view) return report_error(app, view.error());
  const LockStatus* st = &view->status;
  if (app.options.json) {
    std::printf("%s\n", Json({{"held", st->held},
                              {"stale", st->stale},
                              {"who", st->owner.who},
                              {"where", st->owner.where},
                              {"pid", st->owner.pid},
                              {"release", st->owner.release},
                              {"started", st->owner.started},
                              {"heartbeat_age_s", st->heartbeat_age_s}})
                            .dump(2)
                            .c_str());
  } else {
    std::printf("%s: %s\n", environment.c_str(), describe_lock(*st).c_str());
  }
  return 0;
}

int cmd_lock_release(AppContext& app, const std::string& environment, const std::string& reason) {
  auto view = read_lock(app, environment);
  if (!view) return report_error(app, view.error());
  const LockStatus* st = &view->status;
  LockHost* lh = &view->lock_host;
  const Target* t = &view->target;
  if (!st->held) {
    app.reporter->summary(environment + ": not locked");
    return 0;
  }
  app.reporter->info(describe_lock(*st));
  if (!st->stale &&
      !confirm(app, "The lock is NOT stale: its holder may be deploying. Break it?", false)) {
    app.reporter->summary("lock kept");
    return static_cast<int>(ExitCode::kPreflight);
  }
  if (auto s = release_lock(*lh->host, lh->root); !s) return report_error(app, s.error());
  if (auto ledger = ReleaseRecorder::open_ledger(app, ledger_path(app, &t->runbook))) {
    (void)(*ledger)->record_event({st->owner.release, str(EventKind::kLockBroken),
                                   app.redactor.redact(describe_lock(*st) + "; reason: " + reason),
                                   iso8601(std::chrono::system_clock::now())});
  }
  app.reporter->summary(environment + ": lock broken (" + reason + ")");
  return 0;
}

}  // namespace golive
