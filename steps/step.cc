#include "steps/step.h"

namespace golive {

StepResult run_step(const PlannedStep& step, const StepContext& ctx) {
  switch (step.kind) {
    case StepKind::kRun:
      return run_remote_step(step, ctx);
    case StepKind::kLocal:
      return run_local_step(step, ctx);
    case StepKind::kSwitch:
      return run_switch_step(step, ctx);
    case StepKind::kUpload:
      return run_upload_step(step, ctx);
  }
  return make_step_result(step.name, ctx.host ? ctx.host->name() : "local", StepOutcome::kFailed);
}

StepResult step_result_from(const std::string& step, const std::string& host,
                            const Result<ExecResult>& r) {
  StepResult out;
  out.step = step;
  out.host = host;
  if (!r) {
    out.outcome = StepOutcome::kTransportError;
    out.error = r.error().message;
    return out;
  }
  out.exit_status = r->exit_status;
  out.output = r->output;
  out.duration = r->duration;
  if (r->cancelled) {
    out.outcome = StepOutcome::kCancelled;
    out.error = "cancelled; its process group was killed";
  } else if (r->timed_out) {
    out.outcome = StepOutcome::kTimedOut;
    out.error =
        "timed out after " + format_duration(r->duration) + "; its process group was killed";
  } else if (r->exit_status != 0) {
    out.outcome = StepOutcome::kFailed;
    out.error = "exited with status " + std::to_string(r->exit_status);
  } else {
    out.outcome = StepOutcome::kOk;
  }
  return out;
}

}  // namespace golive
