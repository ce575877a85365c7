// Wires the production adapters into an AppContext: the one place that picks implementations.
#include "golive/clock.h"
#include "golive/gate.h"
#include "golive/git_repo.h"
#include "golive/ledger.h"
#include "golive/local_process.h"
#include "golive/remote_host.h"
#include "orchestrator/adapters/http/curl_webhook.h"
#include "orchestrator/context/app_context.h"

namespace golive {

void install_real_adapters(AppContext& app) {
  app.clock = make_system_clock();
  app.local = make_local_process();
  app.make_connector = [](const ConnectOptions& o) { return make_ssh_connector(o); };
  app.open_git = [](const std::string& path) { return open_git_repo(path); };
  app.open_ledger = [](const std::string& path) { return open_sqlite_ledger(path); };
  app.make_checks = [](std::map<std::string, RemoteHost*> hosts, LocalProcess& local) {
    return make_check_runner(std::move(hosts), local);
  };
  app.send_webhook = post_webhook;
}

}  // namespace golive
