// golive init / validate / plan / check: everything that looks before it touches.
#include <filesystem>
#include <fstream>

#include "golive/env_check.h"
#include "orchestrator/adapters/json/json.h"
#include "orchestrator/release/target.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/gitignore.h"
#include "orchestrator/release/plan.h"
#include "orchestrator/release/remote_lock.h"
#include "orchestrator/release/target.h"
#include "runbooks/templates.h"

namespace golive {

namespace fs = std::filesystem;

int cmd_init(AppContext& app, const std::string& template_name, const std::string& dir) {
  auto files = init_template(template_name);
  if (!files) {
    std::string names;
    for (const auto& n : init_template_names()) names += (names.empty() ? "" : ", ") + n;
    app.reporter->error("unknown template '" + template_name + "' (available: " + names + ")");
    return static_cast<int>(ExitCode::kUsage);
  }
  for (const auto& [name, content] : *files) {
    fs::path path = fs::path(dir) / name;
    if (fs::exists(path)) {
      app.reporter->error(path.string() + " already exists; not overwriting it");
      return static_cast<int>(ExitCode::kUsage);
    }
  }
  fs::create_directories(dir);
  for (const auto& [name, content] : *files) {
    fs::path path = fs::path(dir) / name;
    std::ofstream(path) << content;
    app.reporter->info("wrote " + path.string());
  }
  // golive keeps its ledger and log in .golive/ beside the runbook: never commit them.
  if (auto s = ignore_golive_dir(dir); !s) app.reporter->warn(s.error().message);
  app.reporter->summary("next: edit golive.yml, then `golive validate` and `golive plan staging`");
  return 0;
}

int cmd_validate(AppContext& app) {
  auto rb = load_runbook(app);
  if (!rb) {
    app.reporter->summary(rb.error().message);
    return static_cast<int>(rb.error().exit);
  }
  std::size_t hosts = 0;
  for (const auto& e : rb->environments) hosts += e.hosts.size();
  app.reporter->summary(rb->file + ": ok (" + rb->app + ", schema v" + std::to_string(rb->version) +
                        ", " + std::to_string(rb->environments.size()) + " environments, " +
                        std::to_string(hosts) + " hosts, " + std::to_string(rb->steps.size()) +
                        " steps, " + std::to_string(rb->checks.size()) + " checks)");
  if (app.options.json)
    std::printf("{\"valid\": true, \"file\": %s}\n", Json(rb->file).dump().c_str());
  return 0;
}

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
