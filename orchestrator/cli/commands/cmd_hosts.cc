// `golive hosts trust ENV [--fingerprint SHA256:...]`: records host keys after showing them.
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "golive/vocabulary.h"
#include "orchestrator/cli/command_support.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/release/release_recorder.h"
#include "orchestrator/release/target.h"

namespace golive {
namespace {

// Whether an unknown key may be trusted: a fingerprint the operator passed (from the host's owner)
// must match; without one, only a person at a terminal may confirm. --yes or CI alone never
// trusts a key nobody has looked at.
bool may_trust(AppContext& app, const HostKeyInfo& key,
               const std::vector<std::string>& fingerprints) {
  if (!fingerprints.empty()) {
    if (std::find(fingerprints.begin(), fingerprints.end(), key.fingerprint) !=
        fingerprints.end()) {
      return true;
    }
    app.reporter->error(key.host + " (" + key.address + "): its key " + key.fingerprint +
                        " matches no --fingerprint given; not trusting it");
    return false;
  }
  if (app.options.yes || !isatty(STDIN_FILENO)) {
    app.reporter->error(key.host + " (" + key.address +
                        "): not trusting an unknown key without a person to confirm it: pass "
                        "--fingerprint " +
                        key.fingerprint +
                        " after checking it with the host's owner, or set the environment's "
                        "known_hosts file");
    return false;
  }
  return confirm(app, "Trust this key for " + key.host + "?", false);
}

}  // namespace

int cmd_hosts_trust(AppContext& app, const std::string& environment,
                    const std::vector<std::string>& fingerprints) {
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
    if (!may_trust(app, *key, fingerprints)) {
      ++refused;
      continue;
    }
    if (auto s = connector->trust_host_key(h, *key); !s) return report_error(app, s.error());
    if (ledger) {
      (void)(*ledger)->record_event(
          {"", str(EventKind::kHostKeyTrusted),
           h.name + " " + key->address + " " + key->fingerprint +
               (fingerprints.empty() ? " (confirmed interactively)" : " (matched --fingerprint)"),
           iso8601(std::chrono::system_clock::now())});
    }
    app.reporter->info(h.name + ": trusted");
  }
  return refused ? static_cast<int>(ExitCode::kPreflight) : 0;
}

}  // namespace golive
