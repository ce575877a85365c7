// `golive plan ENV`: what would run where; touches nothing.
#include "orchestrator/cli/commands.h"
#include "orchestrator/release/plan.h"
#include "orchestrator/release/target.h"

namespace golive {
int cmd_plan(AppContext& app, const std::string& environment) {
  auto t = load_target(app, environment);
  if (!t) return static_cast<int>(t.error().exit);
  // Plan renders with whatever env values are available; `check` is where completeness blocks.
  auto values = available_env_values(app, t->runbook, environment);
  auto plan = make_plan(t->runbook, environment, "<release-id>", values);
  if (!plan) {
    app.reporter->error(plan.error().message);
    return static_cast<int>(ExitCode::kUsage);
  }
  if (app.options.json) {
    std::printf("%s\n", plan_json(*plan, app.redactor).c_str());
  } else {
    std::printf("%s", plan_text(*plan, app.redactor).c_str());
  }
  return 0;
}

}  // namespace golive
