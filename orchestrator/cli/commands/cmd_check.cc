// `golive check ENV`: preflight (env, secrets in the build output, SSH and host keys, lock).
#include <filesystem>

#include "golive/env_check.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/release/remote_lock.h"
#include "orchestrator/release/target.h"

namespace golive {
namespace fs = std::filesystem;

int cmd_check(AppContext& app, const std::string& environment) {
  auto t = load_target(app, environment);
  if (!t) return static_cast<int>(t.error().exit);
  const Runbook* rb = &t->runbook;
  const Environment* env = &t->env();
  Reporter& rep = *app.reporter;
  int problems = 0;
  // 1. Environment completeness and well-formedness.
  auto report = check_release_env(*rb, environment, app.process_env, app.local.get());
  if (!report) {
    rep.error(report.error().message);
    return static_cast<int>(ExitCode::kPreflight);
  }
  add_secrets(*report, app.redactor);
  for (const auto& line : format_env_sources(*report)) rep.info("env: " + line);
  for (const auto& w : report->warnings) rep.warn(format_env_problem(w));
  for (const auto& p : report->problems) rep.error(format_env_problem(p));
  problems += static_cast<int>(report->problems.size());
  // 2. The build output as it is now on disk (deploy scans the fresh build again).
  fs::path artifact = fs::path(rb->dir) / rb->artifact;
  if (!rb->artifact.empty() && fs::is_directory(artifact)) {
    auto findings = scan_for_secrets(artifact.string(), *report);
    if (!findings) {
      rep.error(findings.error().message);
      ++problems;
    } else {
      for (const auto& f : *findings) {
        rep.error("secret in build output: " + (fs::path(rb->artifact) / f.file).string() +
                  " at byte " + std::to_string(f.offset) + ": " + f.what);
        ++problems;
      }
    }
  } else {
    rep.info("no build output at " + artifact.string() + " to scan (deploy scans its own build)");
  }
  if (problems > 0) {
    rep.summary("check " + environment + ": " + std::to_string(problems) +
                " problem(s); no host was contacted (exit 3)");
    return static_cast<int>(ExitCode::kPreflight);
  }
  // 3. Hosts: reachable, host keys trusted, lock free.
  auto fleet = connect_fleet(app, *rb, *env);
  if (!fleet) {
    rep.summary("check " + environment + ": " + fleet.error().message);
    return static_cast<int>(fleet.error().exit);
  }
  rep.info("ssh: " + std::to_string(fleet->hosts.size()) + " host(s) reachable, host keys trusted");
  auto root = host_root(*rb, *env, env->hosts[0]);
  if (root) {
    auto status = lock_status(*fleet->hosts[0], *root);
    if (status && status->held) {
      rep.error(describe_lock(*status));
      rep.summary("check " + environment + ": deploy lock is held (exit 3)");
      return static_cast<int>(ExitCode::kPreflight);
    }
  }
  rep.summary("check " + environment + ": ready to deploy");
  return 0;
}

}  // namespace golive
