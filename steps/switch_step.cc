#include "steps/release_layout.h"
#include "steps/step.h"

namespace golive {

StepResult run_switch_step(const PlannedStep& step, const StepContext& ctx) {
  StepResult r;
  r.step = step.name;
  r.host = ctx.host->name();
  r.started = std::chrono::system_clock::now();
  auto t0 = std::chrono::steady_clock::now();
  auto s =
      switch_current(*ctx.host, ctx.host_plan->root, ctx.release_id, ctx.shared, ctx.manifest_json);
  r.duration = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - t0);
  if (s) {
    r.outcome = StepOutcome::kOk;
    r.exit_status = 0;
    r.output = "current -> releases/" + ctx.release_id;
  } else {
    r.outcome = StepOutcome::kFailed;
    r.error = s.error().message;
  }
  return r;
}

}  // namespace golive
