// Commands that read or tend the hosts: releases, smoke, lock status/release, hosts trust.
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "golive/env_check.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/release/gate_runner.h"
#include "orchestrator/release/plan.h"
#include "orchestrator/release/release_recorder.h"
#include "orchestrator/release/remote_lock.h"
#include "orchestrator/release/target.h"
#include "steps/release_layout.h"

namespace golive {
namespace {

int report_error(AppContext& app, const Error& e) {
  app.reporter->error(e.message);
  return static_cast<int>(e.exit);
}

// A session to the environment's first host (where the lock lives) and its release root.
struct LockHost {
  std::unique_ptr<RemoteHost> host;
  std::string root;
};

Result<LockHost> connect_lock_host(AppContext& app, const Target& t) {
  const Host& first = t.env().hosts[0];
  auto host = app.make_connector(connect_options(t.runbook, t.env()))->connect(first);
  if (!host) return std::unexpected(host.error());
  auto root = host_root(t.runbook, t.env(), first);
  if (!root) return std::unexpected(root.error());
  return LockHost{std::move(*host), *root};
}

// The lock host of `environment` and what its lock says now.
struct LockView {
  Target target;
  LockHost lock_host;
  LockStatus status;
};

Result<LockView> read_lock(AppContext& app, const std::string& environment) {
  auto t = load_target(app, environment);
  if (!t) return std::unexpected(t.error());
  auto lh = connect_lock_host(app, *t);
  if (!lh) return std::unexpected(lh.error());
  auto st = lock_status(*lh->host, lh->root);
  if (!st) return std::unexpected(st.error());
  return LockView{std::move(*t), std::move(*lh), *st};
}

}  // namespace

int cmd_releases(AppContext& app, const std::string& environment) {
  auto t = load_target(app, environment);
  if (!t) return static_cast<int>(t.error().exit);
  auto fleet = connect_fleet(app, t->runbook, t->env());
  if (!fleet) return report_error(app, fleet.error());
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < t->env().hosts.size(); ++i) {
    const Host& h = t->env().hosts[i];
    auto root = host_root(t->runbook, t->env(), h);
    if (!root) return report_error(app, root.error());
    auto st = read_host_state(*fleet->hosts[i], *root);
    if (!st) return report_error(app, st.error());
    nlohmann::json jh = {{"host", h.name},           {"root", *root},  {"current", st->current},
                         {"releases", st->releases}, {"bad", st->bad}, {"good", st->good}};
    out.push_back(jh);
    if (app.options.json) continue;
    std::printf("%s (%s): current %s\n", h.name.c_str(), root->c_str(),
                st->current.empty() ? "(none)" : st->current.c_str());
    for (auto it = st->releases.rbegin(); it != st->releases.rend(); ++it) {
      std::string mark = *it == st->current ? "* " : "  ";
      std::string note = st->is_bad(*it) ? "  bad (rolled back)" : "";
      std::printf("  %s%s%s\n", mark.c_str(), it->c_str(), note.c_str());
    }
  }
  if (app.options.json) std::printf("%s\n", out.dump(2).c_str());
  return 0;
}

int cmd_smoke(AppContext& app, const std::string& environment, const std::string& junit) {
  auto t = load_target(app, environment);
  if (!t) return static_cast<int>(t.error().exit);
  auto values = available_env_values(app, t->runbook, environment);
  auto plan = make_plan(t->runbook, environment, "live", values);
  if (!plan) return report_error(app, plan.error());
  std::map<std::string, RemoteHost*> hosts;
  ConnectedFleet fleet;
  bool needs_hosts = false;
  for (const auto& c : plan->checks) {
    if (auto* cmd = std::get_if<CommandCheck>(&c.spec); cmd && !cmd->local) needs_hosts = true;
  }
  if (needs_hosts) {
    auto f = connect_fleet(app, t->runbook, t->env());
    if (!f) return report_error(app, f.error());
    fleet = std::move(*f);
    hosts = fleet.by_name;
  }
  GateVerdict v =
      run_and_record_gate(app, t->runbook.gate, plan->checks, hosts, nullptr, "", "smoke", junit);
  app.reporter->summary(v.passed ? "smoke " + environment + ": all checks pass"
                                 : "smoke " + environment + ": FAILED: " + gate_failure_summary(v));
  return v.passed ? 0 : static_cast<int>(ExitCode::kRolledBack);
}

int cmd_lock_status(AppContext& app, const std::string& environment) {
  auto view = read_lock(app, environment);
  if (!view) return report_error(app, view.error());
  const LockStatus* st = &view->status;
  if (app.options.json) {
    std::printf("%s\n", nlohmann::json({{"held", st->held},
                                        {"stale", st->stale},
                                        {"who", st->owner.who},
                                        {"where", st->owner.where},
                                        {"pid", st->owner.pid},
                                        {"release", st->owner.release},
                                        {"started", st->owner.started},
                                        {"heartbeat_age_s", st->heartbeat_age_s}})
                            .dump(2)
                            .c_str());
  } else {
    std::printf("%s: %s\n", environment.c_str(), describe_lock(*st).c_str());
  }
  return 0;
}

int cmd_lock_release(AppContext& app, const std::string& environment, const std::string& reason) {
  auto view = read_lock(app, environment);
  if (!view) return report_error(app, view.error());
  const LockStatus* st = &view->status;
  LockHost* lh = &view->lock_host;
  const Target* t = &view->target;
  if (!st->held) {
    app.reporter->summary(environment + ": not locked");
    return 0;
  }
  app.reporter->info(describe_lock(*st));
  if (!st->stale &&
      !confirm(app, "The lock is NOT stale: its holder may be deploying. Break it?", false)) {
    app.reporter->summary("lock kept");
    return static_cast<int>(ExitCode::kPreflight);
  }
  if (auto s = release_lock(*lh->host, lh->root); !s) return report_error(app, s.error());
  if (auto ledger = ReleaseRecorder::open_ledger(app, ledger_path(app, &t->runbook))) {
    (void)(*ledger)->record_event({st->owner.release, "lock_broken",
                                   app.redactor.redact(describe_lock(*st) + "; reason: " + reason),
                                   iso8601(std::chrono::system_clock::now())});
  }
  app.reporter->summary(environment + ": lock broken (" + reason + ")");
  return 0;
}

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
          {"", "host_key_trusted",
           h.name + " " + key->address + " " + key->fingerprint +
               (fingerprints.empty() ? " (confirmed interactively)" : " (matched --fingerprint)"),
           iso8601(std::chrono::system_clock::now())});
    }
    app.reporter->info(h.name + ": trusted");
  }
  return refused ? static_cast<int>(ExitCode::kPreflight) : 0;
}

}  // namespace golive
