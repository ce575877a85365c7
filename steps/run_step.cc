#include "golive/interpolate.h"
#include "steps/release_layout.h"
#include "steps/step.h"

namespace golive {

std::string remote_command(const std::string& root, const std::string& cwd,
                           const std::string& release_id, const std::string& command) {
  return "cd " + shell_quote(cwd) +
         " || exit 97\ngolive_env=" + shell_quote(release_env_path(root, release_id)) +
         "\n[ -f \"$golive_env\" ] || golive_env=" + shell_quote(root + "/shared/.env") +
         "\nif [ -f \"$golive_env\" ]; then set -a; . \"$golive_env\"; set +a; fi\n" + command;
}

StepResult run_remote_step(const PlannedStep& step, const StepContext& ctx) {
  ExecRequest req;
  req.command =
      remote_command(ctx.host_plan->root, ctx.host_plan->release_dir, ctx.release_id, step.command);
  req.timeout = step.timeout;
  req.on_output = ctx.on_output;
  req.cancel = ctx.cancel;
  auto started = std::chrono::system_clock::now();
  StepResult r = step_result_from(step.name, ctx.host->name(), ctx.host->exec(req));
  r.started = started;
  return r;
}

}  // namespace golive
