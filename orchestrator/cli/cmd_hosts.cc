// `golive hosts trust ENV`: records host keys after showing them.
#include "orchestrator/cli/command_support.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/release/release_recorder.h"
#include "orchestrator/release/target.h"

namespace golive {
int cmd_hosts_trust(AppContext& app, const std::string& environment) {
  auto t = load_target(app, environment);
  if (!t) return static_cast<int>(t.error().exit);
  auto connector = app.make_connector(connect_options(t->runbook, t->env()));
  auto ledger = ReleaseRecorder::open_ledger(app, ledger_path(app, &t->runbook));
  int refused = 0;
  for (const auto& h : t->env().hosts) {
    auto key = connector->probe_host_key(h);
    if (!key) return report_error(app, key.error());
    if (key->state == HostKeyInfo::State::kTrusted) {
      app.reporter->info(h.name + " (" + key->address + "): " + key->key_type + " " +
                         key->fingerprint + " already trusted");
      continue;
    }
    if (key->state == HostKeyInfo::State::kChanged) {
      app.reporter->error(h.name + " (" + key->address + "): HOST KEY CHANGED to " +
                          key->fingerprint +
                          ". Not trusting it automatically: verify with the host's owner, then "
                          "remove the old entry from known_hosts");
      ++refused;
      continue;
    }
    app.reporter->info(h.name + " (" + key->address + "): " + key->key_type + " " +
                       key->fingerprint);
    if (!confirm(app, "Trust this key for " + h.name + "?", app.options.yes)) {
      ++refused;
      continue;
    }
    if (auto s = connector->trust_host_key(h, *key); !s) return report_error(app, s.error());
    if (ledger) {
      (void)(*ledger)->record_event(
          {"", "host_key_trusted",
           h.name + " " + key->address + " " + key->fingerprint +
               (app.options.yes ? " (confirmed by --yes)" : " (confirmed interactively)"),
           iso8601(std::chrono::system_clock::now())});
    }
    app.reporter->info(h.name + ": trusted");
  }
  return refused ? static_cast<int>(ExitCode::kPreflight) : 0;
}

}  // namespace golive
