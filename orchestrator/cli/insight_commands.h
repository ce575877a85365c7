// `golive diff`, `golive stats`, `golive report`: release insight from the hosts, git and the
// ledger (orchestrator/insight/ holds the pure parts).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "golive/ledger.h"
#include "orchestrator/context/app_context.h"

namespace golive {

// `golive diff ENV [REF]`: commits, env keys and runbook sections between live and REF.
int cmd_diff(AppContext& app, const std::string& environment, const std::string& ref);

// `golive plan ENV --diff`: the diff summary line after the plan (reads the hosts; a failure
// to read them is a warning, the plan stands).
int cmd_plan_changes(AppContext& app, const std::string& environment);

// `golive stats [ENV] [--since 90d]`: the DORA measures from the ledger.
int cmd_stats(AppContext& app, const std::string& environment, const std::string& since);

// `golive report [ENV] --html FILE`: one self-contained HTML file.
int cmd_report(AppContext& app, const std::string& environment, const std::string& since,
               const std::string& html_file);

// What stats and report read: the window's releases (newest first) with their steps, checks and
// events, and the commit times git knows for them.
struct InsightData {
  std::vector<ReleaseDetail> releases;
  std::map<std::string, std::int64_t> commit_times;
  long long since_ms = 0;
  long long until_ms = 0;
  std::string app;  // from the runbook when it loads, else empty
};

// Reads the ledger (and git for commit times); exit 2 for a bad --since.
Result<InsightData> load_insight_data(AppContext& app, const std::string& environment,
                                      const std::string& since);

}  // namespace golive
