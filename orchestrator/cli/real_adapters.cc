// Wires the production adapters into an AppContext: the one place that picks implementations.
#include "golive/clock.h"
#include "golive/duration.h"
#include "golive/gate.h"
#include "golive/git_repo.h"
#include "golive/ledger.h"
#include "golive/local_process.h"
#include "golive/remote_host.h"
#include "orchestrator/adapters/http/curl_webhook.h"
#include "orchestrator/adapters/postgres/postgres_ledger.h"
#include "orchestrator/context/app_context.h"
#include "orchestrator/ledger/ledger_location.h"

namespace golive {

void install_real_adapters(AppContext& app) {
  app.clock = make_system_clock();
  app.local = make_local_process();
  app.make_connector = [](const ConnectOptions& o) { return make_ssh_connector(o); };
  app.open_git = [](const std::string& path) { return open_git_repo(path); };
  // A postgresql:// URL is a shared server; anything else is an SQLite file.
  PostgresLedgerOptions pg;
  if (auto it = app.process_env.find("GOLIVE_LEDGER_STALE_AFTER"); it != app.process_env.end()) {
    if (auto d = parse_duration(it->second)) pg.stale_after = *d;
  }
  if (auto it = app.process_env.find("GOLIVE_LEDGER_HEARTBEAT"); it != app.process_env.end()) {
    if (auto d = parse_duration(it->second)) pg.heartbeat_interval = *d;
  }
  app.open_ledger = [pg](const std::string& path) {
    return is_ledger_url(path) ? open_postgres_ledger(path, pg) : open_sqlite_ledger(path);
  };
  app.make_checks = [](std::map<std::string, RemoteHost*> hosts, LocalProcess& local) {
    return make_check_runner(std::move(hosts), local);
  };
  app.send_webhook = post_webhook;
}

}  // namespace golive
