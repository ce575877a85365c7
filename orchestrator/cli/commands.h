// One function per CLI command; each returns the documented exit code.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "golive/env_check.h"
#include "orchestrator/audit/audit.h"
#include "orchestrator/context/app_context.h"
#include "orchestrator/release/target.h"

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
// An environment with its launch section rendered and its env loaded, for audit and handover.
struct LaunchTarget {
  Target target;
  std::optional<EnvReport> env;
  AuditInput input;
  // Points input at target and env (call once the value sits where it stays).
  void bind();
};
// Loads the runbook, the environment's env (secrets registered with the redactor, problems kept
// as findings) and renders its launch section; GOLIVE_DNS_SERVER picks the DNS server.
Result<LaunchTarget> load_launch_target(AppContext& app, const std::string& environment);
// `golive audit ENV`: exit 0 when nothing critical or high, 3 otherwise.
int cmd_audit(AppContext& app, const std::string& environment, const std::string& markdown);
// `golive handover ENV`: the handover document (stdout, --out FILE.md, --html FILE).
int cmd_handover(AppContext& app, const std::string& environment, const std::string& out_md,
                 const std::string& html);
int cmd_hosts_trust(AppContext& app, const std::string& environment,
                    const std::vector<std::string>& fingerprints);

}  // namespace golive
