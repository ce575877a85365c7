// `golive ledger verify|sync`: the ledger's hash chain, also against the hosts; rebuilding
// missing history from the hosts' releases.log.
#include "golive/runbook_loader.h"
#include "orchestrator/adapters/json/json.h"
#include "orchestrator/cli/command_support.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/ledger/host_log.h"
#include "orchestrator/ledger/ledger_location.h"
#include "orchestrator/ledger/ledger_report.h"
#include "orchestrator/release/release_recorder.h"
#include "orchestrator/release/target.h"
#include "steps/release_layout.h"

namespace golive {
namespace {

// Reads every host's releases.log (one JSON object per line).
Result<std::vector<std::pair<std::string, std::vector<Json>>>> read_host_logs(
    AppContext& app, const std::string& environment, Runbook& runbook_out) {
  GOLIVE_TRY(rb, load_runbook(app));
  runbook_out = std::move(*rb);
  GOLIVE_TRY(env, find_environment(runbook_out, environment));
  GOLIVE_TRY(fleet, connect_fleet(app, runbook_out, **env));
  std::vector<std::pair<std::string, std::vector<Json>>> out;
  for (std::size_t i = 0; i < (*env)->hosts.size(); ++i) {
    GOLIVE_TRY(root, host_root(runbook_out, **env, (*env)->hosts[i]));
    auto text = fleet->hosts[i]->read_file(*root + "/.golive/releases.log");
    out.emplace_back((*env)->hosts[i].name, text ? parse_host_log(*text) : std::vector<Json>{});
  }
  return out;
}

}  // namespace

int cmd_ledger_verify(AppContext& app, const std::string& hosts_env) {
  auto ledger = open_for_reading(app);
  if (!ledger) return report_ledger_error(app, ledger.error());
  auto report = (*ledger)->verify();
  if (!report) return report_ledger_error(app, report.error());
  if (!report->ok) {
    app.reporter->error("ledger chain BROKEN: " + report->first_problem);
    return static_cast<int>(ExitCode::kPreflight);
  }
  app.reporter->info("ledger chain ok: " + std::to_string(report->records) + " records, head " +
                     report->head.substr(0, 16));
  if (hosts_env.empty()) return 0;
  Runbook rb;
  auto logs = read_host_logs(app, hosts_env, rb);
  if (!logs) return report_ledger_error(app, logs.error());
  int mismatches = 0;
  for (const auto& [host, lines] : *logs) {
    std::string head;
    for (const auto& l : lines) {
      if (!host_log_field(l, "ledger_head").empty()) head = host_log_field(l, "ledger_head");
    }
    if (head.empty()) {
      app.reporter->warn(host + ": no ledger head in releases.log");
      continue;
    }
    auto known = (*ledger)->contains_hash(head);
    if (!known || !*known) {
      app.reporter->error(host + ": its last recorded ledger head " + head.substr(0, 16) +
                          " is not in this ledger (records deleted, or a different ledger)");
      ++mismatches;
    } else {
      app.reporter->info(host + ": ledger head " + head.substr(0, 16) + " found in the chain");
    }
  }
  return mismatches ? static_cast<int>(ExitCode::kPreflight) : 0;
}

int cmd_ledger_sync(AppContext& app, const std::string& environment) {
  Runbook rb;
  auto logs = read_host_logs(app, environment, rb);
  if (!logs) return report_ledger_error(app, logs.error());
  auto ledger = ReleaseRecorder::open_ledger(app, ledger_path(app, &rb));
  if (!ledger) return report_ledger_error(app, ledger.error());
  int imported = 0;
  for (const auto& [host, lines] : *logs) {
    for (const auto& l : lines) {
      auto r = release_from_host_log(l, rb.app, environment, host);
      if (!r) continue;
      auto added = (*ledger)->import_release(*r);
      if (!added) return report_ledger_error(app, added.error());
      if (*added) ++imported;
    }
  }
  app.reporter->summary("ledger sync " + environment + ": " + std::to_string(imported) +
                        " release(s) imported from the hosts");
  return 0;
}

// Copies this working copy's ledger (usually the SQLite file) into a shared one, release by
// release, oldest first; releases the target already has are skipped, so a second push writes
// nothing. Both chains are verified: the source before, the target after.
int cmd_ledger_push(AppContext& app, const std::string& to) {
  if (!is_ledger_url(to)) {
    app.reporter->error("ledger push --to needs a postgresql:// URL, got " + redacted_ledger(to));
    return static_cast<int>(ExitCode::kUsage);
  }
  auto source = open_for_reading(app);
  if (!source) return report_error(app, source.error());
  auto source_ok = (*source)->verify();
  if (!source_ok) return report_error(app, source_ok.error());
  if (!source_ok->ok) {
    app.reporter->error("source ledger chain BROKEN, nothing pushed: " + source_ok->first_problem);
    return static_cast<int>(ExitCode::kPreflight);
  }
  auto target = app.open_ledger(to);  // no spool: a push either reaches the server or fails
  if (!target) return report_error(app, target.error());
  auto releases = (*source)->history(HistoryQuery{"", 0, ""});
  if (!releases) return report_error(app, releases.error());
  int pushed = 0, present = 0;
  for (auto it = releases->rbegin(); it != releases->rend(); ++it) {
    auto detail = (*source)->show(it->id);
    if (!detail) return report_error(app, detail.error());
    auto added = (*target)->import_detail(*detail);
    if (!added) return report_error(app, added.error());
    ++(*added ? pushed : present);
  }
  auto target_ok = (*target)->verify();
  if (!target_ok) return report_error(app, target_ok.error());
  if (!target_ok->ok) {
    app.reporter->error("target ledger chain BROKEN after push: " + target_ok->first_problem);
    return static_cast<int>(ExitCode::kPreflight);
  }
  app.reporter->summary("ledger push: " + std::to_string(pushed) + " release(s) pushed, " +
                        std::to_string(present) + " already in " + redacted_ledger(to) +
                        "; both chains verified (" + std::to_string(source_ok->records) + " and " +
                        std::to_string(target_ok->records) + " records)");
  return 0;
}

}  // namespace golive
