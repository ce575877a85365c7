// `golive smoke ENV`: the gate's checks against what is live now.
#include "golive/vocabulary.h"
#include "orchestrator/cli/command_support.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/release/gate_runner.h"
#include "orchestrator/release/plan.h"
#include "orchestrator/release/target.h"

namespace golive {
int cmd_smoke(AppContext& app, const std::string& environment, const std::string& junit) {
  auto t = load_target(app, environment);
  if (!t) return static_cast<int>(t.error().exit);
  auto values = available_env_values(app, t->runbook, environment);
  auto plan = make_plan(t->runbook, environment, "live", values);
  if (!plan) return report_error(app, plan.error());
  std::map<std::string, RemoteHost*> hosts;
  ConnectedFleet fleet;
  bool needs_hosts = false;
  for (const auto& c : plan->checks) {
    if (auto* cmd = std::get_if<CommandCheck>(&c.spec); cmd && !cmd->local) needs_hosts = true;
  }
  if (needs_hosts) {
    auto f = connect_fleet(app, t->runbook, t->env());
    if (!f) return report_error(app, f.error());
    fleet = std::move(*f);
    hosts = fleet.by_name;
  }
  GateVerdict v =
      run_and_record_gate(app, t->runbook.gate, plan->checks, hosts, nullptr, "", Phase::kSmoke);
  JunitReport(junit).add(app, "golive smoke", v);
  app.reporter->summary(v.passed ? "smoke " + environment + ": all checks pass"
                                 : "smoke " + environment + ": FAILED: " + gate_failure_summary(v));
  return v.passed ? 0 : static_cast<int>(ExitCode::kRolledBack);
}

}  // namespace golive
