// Running one planned step on one host. Each kind lives in its own file (run_step.cc,
// upload.cc, switch_step.cc, local_step.cc); run_step() dispatches on the kind.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "golive/local_process.h"
#include "golive/plan.h"
#include "golive/remote_host.h"
#include "golive/step_result.h"
#include "steps/delta_upload.h"
#include "steps/upload.h"

namespace golive {

// Everything a step may need; the executor fills it once per host.
struct StepContext {
  RemoteHost* host = nullptr;
  LocalProcess* local = nullptr;
  const HostPlan* host_plan = nullptr;
  std::string release_id;
  std::string artifact_dir;                      // local build output, for upload
  std::shared_ptr<const UploadArchive> archive;  // built once per deploy, replayed to each host
  std::vector<std::string> shared;               // release.shared, for switch
  std::string manifest_json;                     // written into the release by switch
  std::map<std::string, std::string> local_env;  // env values for local steps (never on argv)
  std::string local_cwd;                         // where local steps run (the clean export)
  OutputCallback on_output;
  UploadProgress on_upload_progress;  // optional: bytes of the artifact sent to this host
  // The delta upload: the release this host serves (its files are reused), "" for none; a full
  // upload when empty or `full_upload` (--full-upload).
  std::string base_release;
  bool full_upload = false;
  ReuseMode reuse = ReuseMode::kHardLink;  // `upload.reuse` in the runbook
  const std::atomic<bool>* cancel = nullptr;
};

// Runs `step` in `ctx`; the outcome is data, never an exception.
StepResult run_step(const PlannedStep& step, const StepContext& ctx);

// The wrapper every remote command runs in: cd into `cwd`, load release `release_id`'s own env
// file <root>/shared/env/<id>.env (else <root>/shared/.env, for releases shipped before env
// files were versioned), so env values reach commands without ever being on a command line and
// each command sees the configuration of the release it belongs to; then `command`.
std::string remote_command(const std::string& root, const std::string& cwd,
                           const std::string& release_id, const std::string& command);

StepResult run_remote_step(const PlannedStep& step, const StepContext& ctx);
StepResult run_local_step(const PlannedStep& step, const StepContext& ctx);
StepResult run_switch_step(const PlannedStep& step, const StepContext& ctx);
StepResult run_upload_step(const PlannedStep& step, const StepContext& ctx);

// Turns an ExecResult (or transport error) into a StepResult.
StepResult step_result_from(const std::string& step, const std::string& host,
                            const Result<ExecResult>& r);

}  // namespace golive
