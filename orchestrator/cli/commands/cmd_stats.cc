// `golive stats [ENV] [--since 90d]`: deployment frequency, lead time for changes, change
// failure rate and time to restore from the ledger (definitions in docs/ledger.md).
#include <set>

#include "golive/env_check.h"
#include "golive/runbook_loader.h"
#include "orchestrator/cli/insight_commands.h"
#include "orchestrator/insight/dora_stats.h"
#include "orchestrator/insight/insight_json.h"
#include "orchestrator/release/release_recorder.h"
#include "orchestrator/release/target.h"

namespace golive {

Result<InsightData> load_insight_data(AppContext& app, const std::string& environment,
                                      const std::string& since) {
  InsightData data;
  data.until_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(app.clock->wall().time_since_epoch())
          .count();
  auto since_ms = parse_since(since, data.until_ms);
  if (!since_ms) {
    return fail("--since '" + since + "': expected a span like 90d, 12w, 36h or a date YYYY-MM-DD",
                ExitCode::kUsage);
  }
  data.since_ms = *since_ms;
  // Like history/show: works on a laptop without a valid runbook (then no git, no lead time).
  LoadResult loaded = load_runbook_file(app.options.file);
  const Runbook* rb = loaded.runbook ? &*loaded.runbook : nullptr;
  if (rb) data.app = rb->app;
  // The ledger holds redacted text already; registering the secrets known now redacts anything
  // recorded before a value became a secret (the report is a file people pass around).
  for (const auto& env : rb ? rb->environments : std::vector<Environment>{}) {
    if (!environment.empty() && env.name != environment) continue;
    if (auto report = check_release_env(*rb, env.name, app.process_env)) {
      add_secrets(*report, app.redactor);
    }
  }
  auto ledger = ReleaseRecorder::open_ledger(app, ledger_path(app, rb));
  if (!ledger) return fail(ledger.error().message, ExitCode::kInfra);
  HistoryQuery q{
      environment, 1'000'000,
      iso8601(std::chrono::system_clock::time_point(std::chrono::milliseconds(data.since_ms)))};
  auto rows = (*ledger)->history(q);
  if (!rows) return fail(rows.error().message, ExitCode::kInfra);
  for (const auto& r : *rows) {
    auto detail = (*ledger)->show(r.id);
    if (!detail) return fail(detail.error().message, ExitCode::kInfra);
    data.releases.push_back(std::move(*detail));
  }
  // Lead time needs each released commit's time: git knows it, the ledger does not.
  auto repo = app.open_git(rb ? rb->dir : ".");
  if (repo) {
    std::set<std::string> seen;
    for (const auto& d : data.releases) {
      const std::string& sha = d.release.commit;
      if (d.release.trigger == "rollback" || sha.empty() || !seen.insert(sha).second) continue;
      if (!(*repo)->has_commit(sha)) continue;
      if (auto one = (*repo)->log("", sha, 1); one && !one->empty()) {
        data.commit_times[sha] = one->front().time;
      }
    }
  }
  return data;
}

int cmd_stats(AppContext& app, const std::string& environment, const std::string& since) {
  auto data = load_insight_data(app, environment, since);
  if (!data) {
    app.reporter->error(data.error().message);
    return static_cast<int>(data.error().exit);
  }
  DoraStats stats =
      compute_dora_stats(data->releases, data->commit_times, data->since_ms, data->until_ms);
  const std::string out = app.options.json ? stats_json(stats) + "\n" : format_dora_stats(stats);
  std::fputs(app.redactor.redact(out).c_str(), stdout);
  return 0;
}

}  // namespace golive
