#include "orchestrator/release/target.h"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>

#include "golive/duration.h"
#include "golive/env_check.h"
#include "golive/interpolate.h"
#include "golive/parallel.h"
#include "golive/runbook_loader.h"

namespace golive {

Result<Runbook> load_runbook(AppContext& app) {
  LoadResult loaded = load_runbook_file(app.options.file);
  if (!loaded.errors.empty()) {
    for (const auto& d : loaded.errors) {
      app.reporter->error(format_diagnostic(d));
      if (app.ci)
        app.ci->file_error(d.file, d.line, d.col,
                           (d.path.empty() ? "" : d.path + ": ") + d.message);
    }
    return fail(std::to_string(loaded.errors.size()) + " error(s) in " + app.options.file,
                ExitCode::kUsage);
  }
  return std::move(*loaded.runbook);
}

Result<const Environment*> find_environment(const Runbook& runbook, const std::string& name) {
  if (const Environment* env = runbook.find_environment(name)) return env;
  std::string known;
  for (const auto& e : runbook.environments) known += (known.empty() ? "" : ", ") + e.name;
  return fail("unknown environment '" + name + "' (" + runbook.file + " defines: " + known + ")",
              ExitCode::kUsage);
}

std::string ledger_path(const AppContext& app, const Runbook* runbook) {
  if (!app.options.ledger.empty()) return app.options.ledger;
  if (auto it = app.process_env.find("GOLIVE_LEDGER");
      it != app.process_env.end() && !it->second.empty()) {
    return it->second;
  }
  std::filesystem::path dir = runbook ? std::filesystem::path(runbook->dir)
                                      : std::filesystem::path(app.options.file).parent_path();
  if (dir.empty()) dir = ".";
  if (runbook && !runbook->ledger.empty()) {
    if (runbook->ledger.starts_with("postgresql://") ||
        runbook->ledger.starts_with("postgres://") || runbook->ledger.starts_with('/')) {
      return runbook->ledger;
    }
    return (dir / runbook->ledger).string();
  }
  return (dir / ".golive" / "ledger.db").string();
}

Result<Target> load_target(AppContext& app, const std::string& environment) {
  GOLIVE_TRY(rb, load_runbook(app));
  Target t{std::move(*rb), 0};
  auto env = find_environment(t.runbook, environment);
  if (!env) {
    app.reporter->error(env.error().message);
    return std::unexpected(env.error());
  }
  t.env_index = static_cast<std::size_t>(*env - t.runbook.environments.data());
  return t;
}

std::map<std::string, std::string> available_env_values(AppContext& app, const Runbook& runbook,
                                                        const std::string& environment) {
  std::map<std::string, std::string> values;
  auto report = check_release_env(runbook, environment, app.process_env, app.local.get());
  if (!report) {
    app.reporter->warn(report.error().message);
    return values;
  }
  add_secrets(*report, app.redactor);
  for (const auto& [k, v] : report->values) values[k] = v.value;
  if (!report->ok()) {
    app.reporter->warn(std::to_string(report->problems.size()) +
                       " environment problem(s): `golive check " + environment +
                       "` lists them; a deploy would stop there");
  }
  return values;
}

ConnectOptions connect_options(const Runbook& runbook, const Environment& env) {
  ConnectOptions o;
  if (!env.known_hosts.empty()) {
    std::filesystem::path p(env.known_hosts);
    o.known_hosts =
        p.is_absolute() ? p.string() : (std::filesystem::path(runbook.dir) / p).string();
  }
  // Like ssh's ServerAliveInterval x ServerAliveCountMax, for networks slower than the default.
  if (const char* alive = std::getenv("GOLIVE_SSH_ALIVE_TIMEOUT"); alive != nullptr) {
    if (auto d = parse_duration(alive)) o.alive_timeout = *d;
  }
  return o;
}

Result<ConnectedFleet> connect_fleet(AppContext& app, const Runbook& runbook,
                                     const Environment& env) {
  auto connector = app.make_connector(connect_options(runbook, env));
  ConnectedFleet fleet;
  fleet.hosts.resize(env.hosts.size());
  std::vector<std::string> errors(env.hosts.size());
  ExitCode worst = ExitCode::kInfra;
  std::mutex mu;
  parallel_for(env.hosts.size(), workers::kHosts, [&](std::size_t i) {
    auto host = connector->connect(env.hosts[i]);
    if (host) {
      fleet.hosts[i] = std::move(*host);
      return;
    }
    std::lock_guard lock(mu);
    errors[i] = host.error().message;
    if (host.error().exit == ExitCode::kPreflight) worst = ExitCode::kPreflight;
  });
  // One line per distinct error: hosts behind one bastion share its failure (e.g. its unknown
  // key), said once with the hosts it stopped.
  std::vector<std::pair<std::string, std::string>> distinct;  // error, hosts
  std::string message;
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (errors[i].empty()) continue;
    message += (message.empty() ? "" : ", ") + env.hosts[i].name;
    auto same = std::find_if(distinct.begin(), distinct.end(),
                             [&](const auto& d) { return d.first == errors[i]; });
    if (same == distinct.end()) {
      distinct.emplace_back(errors[i], env.hosts[i].name);
    } else {
      same->second += ", " + env.hosts[i].name;
    }
  }
  for (const auto& [error, hosts] : distinct) {
    app.reporter->error(error + (hosts.find(',') == std::string::npos ? "" : " (" + hosts + ")"));
  }
  if (!message.empty()) return fail("could not connect to " + message, worst);
  for (std::size_t i = 0; i < env.hosts.size(); ++i) {
    fleet.by_name[env.hosts[i].name] = fleet.hosts[i].get();
  }
  return fleet;
}

void for_each_host_parallel(std::size_t n, const std::function<void(std::size_t)>& fn) {
  parallel_for(n, workers::kHosts, fn);
}

bool confirm(const AppContext& app, const std::string& question, bool fallback) {
  if (app.options.yes || !isatty(STDIN_FILENO)) return fallback;
  // After SIGHUP the terminal is gone: nobody can answer, so take the safe default.
  if (app.signal != nullptr && app.signal->load() == SIGHUP) return fallback;
  if (app.reporter) app.reporter->settle();  // no live redraw over the question
  std::cerr << question << (fallback ? " [Y/n] " : " [y/N] ") << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer) || answer.empty()) return fallback;
  return answer[0] == 'y' || answer[0] == 'Y';
}

std::optional<std::string> ask_typed(const AppContext& app, const std::string& text) {
  if (!isatty(STDIN_FILENO)) return std::nullopt;
  if (app.signal != nullptr && app.signal->load() == SIGHUP) return std::nullopt;
  if (app.reporter) app.reporter->settle();
  std::cerr << app.redactor.redact(text) << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return std::nullopt;
  const auto first = answer.find_first_not_of(" \t\r");
  if (first == std::string::npos) return std::string();
  return answer.substr(first, answer.find_last_not_of(" \t\r") - first + 1);
}

Result<std::string> host_root(const Runbook& runbook, const Environment& env, const Host& host) {
  TemplateContext ctx;
  ctx.vars = &env.vars;
  ctx.host = {{"name", host.name}, {"address", host.address}, {"user", host.user}};
  return render(runbook.release.path, ctx, Quoting::kNone);
}

}  // namespace golive
