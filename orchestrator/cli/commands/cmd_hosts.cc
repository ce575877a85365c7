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

// Shows one host's key and records it if it may be trusted; false when it stays untrusted.
Result<bool> trust_one(AppContext& app, HostConnector& connector, const Host& h,
                       const std::vector<std::string>& fingerprints, Ledger* ledger) {
  GOLIVE_TRY(key, connector.probe_host_key(h));
  if (key->state == HostKeyInfo::State::kTrusted) {
    app.reporter->info(h.name + " (" + key->address + "): " + key->key_type + " " +
                       key->fingerprint + " already trusted");
    return true;
  }
  if (key->state == HostKeyInfo::State::kChanged) {
    app.reporter->error(h.name + " (" + key->address + "): HOST KEY CHANGED to " +
                        key->fingerprint +
                        ". Not trusting it automatically: verify with the host's owner, then "
                        "remove the old entry from known_hosts");
    return false;
  }
  app.reporter->info(h.name + " (" + key->address + "): " + key->key_type + " " + key->fingerprint);
  if (!may_trust(app, *key, fingerprints)) return false;
  GOLIVE_RETURN_IF_ERROR(connector.trust_host_key(h, *key));
  if (ledger != nullptr) {
    (void)ledger->record_event(
        {"", str(EventKind::kHostKeyTrusted),
         h.name + " " + key->address + " " + key->fingerprint +
             (fingerprints.empty() ? " (confirmed interactively)" : " (matched --fingerprint)"),
         iso8601(std::chrono::system_clock::now())});
  }
  app.reporter->info(h.name + ": trusted");
  return true;
}

// The distinct jump hosts in front of the environment's hosts, in host order.
Result<std::vector<Host>> jump_hosts(HostConnector& connector, const std::vector<Host>& hosts) {
  std::vector<Host> out;
  for (const auto& h : hosts) {
    GOLIVE_TRY(jump, connector.jump_host(h));
    if (!*jump) continue;
    auto same = [&](const Host& b) {
      return b.address == (*jump)->address && b.port == (*jump)->port && b.user == (*jump)->user;
    };
    if (std::none_of(out.begin(), out.end(), same)) out.push_back(**jump);
  }
  return out;
}

}  // namespace

int cmd_hosts_trust(AppContext& app, const std::string& environment,
                    const std::vector<std::string>& fingerprints) {
  auto t = load_target(app, environment);
  if (!t) return static_cast<int>(t.error().exit);
  auto connector = app.make_connector(connect_options(t->runbook, t->env()));
  auto ledger = ReleaseRecorder::open_ledger(app, ledger_path(app, &t->runbook));
  Ledger* log = ledger ? ledger->get() : nullptr;
  // Bastions first: the hosts behind one are reached (and their keys probed) through it, and only
  // once its own key is trusted.
  auto bastions = jump_hosts(*connector, t->env().hosts);
  if (!bastions) return report_error(app, bastions.error());
  int refused = 0;
  for (const auto& b : *bastions) {
    auto ok = trust_one(app, *connector, b, fingerprints, log);
    if (!ok) return report_error(app, ok.error());
    if (!*ok) ++refused;
  }
  if (refused) {
    app.reporter->error(
        "the hosts behind an untrusted jump host cannot be reached; trust it first");
    return static_cast<int>(ExitCode::kPreflight);
  }
  for (const auto& h : t->env().hosts) {
    auto ok = trust_one(app, *connector, h, fingerprints, log);
    if (!ok) return report_error(app, ok.error());
    if (!*ok) ++refused;
  }
  return refused ? static_cast<int>(ExitCode::kPreflight) : 0;
}

}  // namespace golive
