// One function per CLI command; each returns the documented exit code.
#pragma once

#include <string>
#include <vector>

#include "orchestrator/context/app_context.h"

namespace golive {

int cmd_init(AppContext& app, const std::string& template_name, const std::string& dir);
int cmd_validate(AppContext& app);
int cmd_plan(AppContext& app, const std::string& environment);
int cmd_check(AppContext& app, const std::string& environment);
int cmd_smoke(AppContext& app, const std::string& environment, const std::string& junit);
int cmd_releases(AppContext& app, const std::string& environment);

struct RollbackArgs {
  std::string environment;
  std::string to;      // release id; empty: the previous good release on each host
  std::string reason;  // required
  bool force = false;  // break a stale lock; allow --to a release marked bad
};
int cmd_rollback(AppContext& app, const RollbackArgs& args);

int cmd_history(AppContext& app, const std::string& environment, int limit,
                const std::string& since);
int cmd_show(AppContext& app, const std::string& id);
int cmd_ledger_verify(AppContext& app, const std::string& hosts_env);
int cmd_ledger_sync(AppContext& app, const std::string& environment);
// Copies this ledger into the shared one at `to` (idempotent; both chains verified).
int cmd_ledger_push(AppContext& app, const std::string& to);
int cmd_lock_status(AppContext& app, const std::string& environment);
int cmd_lock_release(AppContext& app, const std::string& environment, const std::string& reason);
int cmd_hosts_trust(AppContext& app, const std::string& environment,
                    const std::vector<std::string>& fingerprints);

}  // namespace golive
