#include "steps/step.h"

namespace golive {

StepResult run_local_step(const PlannedStep& step, const StepContext& ctx) {
  LocalRequest req;
  req.command = step.command;
  req.cwd = ctx.local_cwd;
  req.env = ctx.local_env;  // env values travel in the environment, never on the command line
  req.timeout = step.timeout;
  req.on_output = ctx.on_output;
  req.cancel = ctx.cancel;
  auto started = std::chrono::system_clock::now();
  StepResult r = step_result_from(step.name, "local", ctx.local->run(req));
  r.started = started;
  return r;
}

}  // namespace golive
