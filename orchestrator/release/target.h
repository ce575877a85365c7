// A runbook and one of its environments, as every command needs them: loading the runbook with
// all its diagnostics, finding the ledger, connecting to an environment's hosts in parallel.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "golive/error.h"
#include "golive/runbook.h"
#include "orchestrator/context/app_context.h"

namespace golive {

// Loads and validates the runbook named by --file; prints every diagnostic; exit 2 on error.
Result<Runbook> load_runbook(AppContext& app);

// The environment or a usage error listing the ones that exist.
Result<const Environment*> find_environment(const Runbook& runbook, const std::string& name);

// --ledger, else GOLIVE_LEDGER, else the runbook's `ledger:` (a URL, or a path relative to the
// runbook), else .golive/ledger.db beside the runbook.
std::string ledger_path(const AppContext& app, const Runbook* runbook);

// A runbook and one of its environments.
struct Target {
  Runbook runbook;
  std::size_t env_index = 0;
  const Environment& env() const { return runbook.environments[env_index]; }
};

// Loads the runbook and finds `environment`; prints why not (exit 2).
Result<Target> load_target(AppContext& app, const std::string& environment);

// The env values available now, registered with the redactor; problems do not block (commands
// that must block on them call check_release_env themselves). Warns when there are problems.
std::map<std::string, std::string> available_env_values(AppContext& app, const Runbook& runbook,
                                                        const std::string& environment);

// Sessions to every host of an environment, index-aligned with env.hosts.
struct ConnectedFleet {
  std::vector<std::unique_ptr<RemoteHost>> hosts;
  std::map<std::string, RemoteHost*> by_name;
};

// Connects to all hosts at once; reports every host that failed (exit 5, or 3 for host keys).
Result<ConnectedFleet> connect_fleet(AppContext& app, const Runbook& runbook,
                                     const Environment& env);

// The known_hosts/connection settings for an environment.
ConnectOptions connect_options(const Runbook& runbook, const Environment& env);

// Asks a yes/no question on the terminal; `fallback` without a TTY or with --yes.
bool confirm(const AppContext& app, const std::string& question, bool fallback);

// Shows `text` on the terminal and reads one typed line (trimmed); nullopt without a terminal
// (stdin not a TTY, or after SIGHUP) or at end of input.
std::optional<std::string> ask_typed(const AppContext& app, const std::string& text);

// parallel_for with the per-host cap (workers::kHosts): one thread per host for per-host round
// trips (one RemoteHost per index, so no host is driven by two threads).
void for_each_host_parallel(std::size_t n, const std::function<void(std::size_t)>& fn);

// The release root on `host` (release.path rendered for it).
Result<std::string> host_root(const Runbook& runbook, const Environment& env, const Host& host);

}  // namespace golive
