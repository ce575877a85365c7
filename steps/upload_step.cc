#include "steps/step.h"

namespace golive {
namespace {

// Why this host gets the whole artifact, or "" when a delta may be tried.
std::string full_upload_reason(const StepContext& ctx) {
  if (ctx.full_upload) return "--full-upload";
  if (ctx.base_release.empty()) return "the host serves no release yet";
  if (ctx.base_release == ctx.release_id) return "the host already serves this release id";
  if (!ctx.archive->delta_capable()) {
    return "the artifact has names a manifest cannot hold or directories its owner cannot write";
  }
  return "";
}

}  // namespace

StepResult run_upload_step(const PlannedStep& step, const StepContext& ctx) {
  auto started = std::chrono::system_clock::now();
  if (!ctx.archive) {
    StepResult r = upload_directory(*ctx.host, ctx.artifact_dir, ctx.host_plan->release_dir,
                                    step.timeout, ctx.cancel);
    r.step = step.name;
    r.started = started;
    return r;
  }
  std::string why_full = full_upload_reason(ctx);
  if (why_full.empty()) {
    DeltaRequest q;
    q.host = ctx.host;
    q.full = ctx.archive.get();
    q.artifact_dir = ctx.artifact_dir;
    q.remote_dir = ctx.host_plan->release_dir;
    q.base_dir = ctx.host_plan->root + "/releases/" + ctx.base_release;
    q.mode = ctx.reuse;
    q.timeout = step.timeout;
    q.cancel = ctx.cancel;
    q.progress = ctx.on_upload_progress;
    if (auto delta = upload_delta(q, why_full)) {
      delta->step = step.name;
      delta->started = started;
      return *delta;
    }
  }
  StepResult r = upload_archive(*ctx.host, *ctx.archive, ctx.host_plan->release_dir, step.timeout,
                                ctx.cancel, ctx.on_upload_progress);
  r.step = step.name;
  r.started = started;
  if (r.ok()) {
    r.output +=
        "full upload (" + why_full + "): " + std::to_string(ctx.archive->size()) + " bytes\n";
  }
  return r;
}

}  // namespace golive
