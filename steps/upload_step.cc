#include "steps/step.h"

namespace golive {

StepResult run_upload_step(const PlannedStep& step, const StepContext& ctx) {
  auto started = std::chrono::system_clock::now();
  StepResult r = ctx.archive
                     ? upload_archive(*ctx.host, *ctx.archive, ctx.host_plan->release_dir,
                                      step.timeout, ctx.cancel, ctx.on_upload_progress)
                     : upload_directory(*ctx.host, ctx.artifact_dir, ctx.host_plan->release_dir,
                                        step.timeout, ctx.cancel);
  r.step = step.name;
  r.started = started;
  return r;
}

}  // namespace golive
