// The adapters a command runs with, chosen once in the CLI. Tests and dry runs swap in other
// implementations here instead of branching inside the flow.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "golive/clock.h"
#include "golive/gate.h"
#include "golive/git_repo.h"
#include "golive/ledger.h"
#include "golive/local_process.h"
#include "golive/redactor.h"
#include "golive/remote_host.h"
#include "orchestrator/context/reporter.h"

namespace golive {

// Sends one notification (Slack-compatible JSON webhook); error when it could not be delivered.
using WebhookSender = std::function<Status(const std::string& url, const std::string& json)>;

struct GlobalOptions {
  std::string file = "golive.yml";
  std::string ledger;  // empty: --ledger / GOLIVE_LEDGER / .golive/ledger.db beside the runbook
  bool json = false;
  bool quiet = false;
  bool verbose = false;
  bool color = true;
  bool yes = false;              // no prompts (implied by CI=true)
  bool ledger_optional = false;  // deploy even when the ledger cannot be opened (loudly)
};

struct AppContext {
  GlobalOptions options;
  std::map<std::string, std::string> process_env;
  Redactor redactor;
  std::unique_ptr<Reporter> reporter;
  std::unique_ptr<Clock> clock;
  std::unique_ptr<LocalProcess> local;
  std::function<std::unique_ptr<HostConnector>(const ConnectOptions&)> make_connector;
  std::function<Result<std::unique_ptr<GitRepo>>(const std::string&)> open_git;
  std::function<Result<std::unique_ptr<Ledger>>(const std::string&)> open_ledger;
  std::function<std::unique_ptr<CheckRunner>(std::map<std::string, RemoteHost*>, LocalProcess&)>
      make_checks;
  WebhookSender send_webhook;
  std::atomic<bool>* cancel = nullptr;       // set by any signal that ends a deploy
  const std::atomic<int>* signal = nullptr;  // which one (0: none yet)
};

// "SIGTERM", "SIGHUP (the terminal closed)", ... for the signal that set `cancel`.
std::string signal_description(const AppContext& app);

// The real adapters (libssh, libgit2, SQLite, libcurl, Boost.Process, system clock).
void install_real_adapters(AppContext& app);

}  // namespace golive
