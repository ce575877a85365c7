// `golive stats`: the four DORA measures computed from ledger records (definitions in
// docs/ledger.md). Pure: the caller passes the records, commit times and the window.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "golive/ledger.h"

namespace golive {

// Median (mean of the two middle values for an even count) and p90 (nearest rank) of a sample.
struct Spread {
  int samples = 0;
  std::optional<long long> median_ms;
  std::optional<long long> p90_ms;
};

// The DORA figures of one group of releases (all, or one environment).
struct DoraFigures {
  int attempts = 0;         // deploys started (rollback commands excluded)
  int reached_hosts = 0;    // deploys that ran at least one step on a host
  int deployments = 0;      // deploys that succeeded (went live and passed the gate)
  int change_failures = 0;  // reached hosts and failed, were rolled back, or rolled back later
  double deploys_per_week = 0;
  std::optional<double> change_failure_rate;  // change_failures / reached_hosts; none when 0
  Spread lead_time;                           // commit time -> live, per successful deploy
  Spread time_to_restore;                     // the ledger's time_to_restore_ms
};

struct WeekFigures {
  std::string week;  // Monday of the ISO week, YYYY-MM-DD (UTC)
  int deployments = 0;
  int change_failures = 0;
};

struct DoraStats {
  long long since_ms = 0;
  long long until_ms = 0;
  double days = 0;
  DoraFigures all;
  std::map<std::string, DoraFigures> per_environment;
  std::vector<WeekFigures> weeks;  // every week of the window, oldest first, zeros included
};

// Computes the figures of `releases` (any order; only those started in [since, until] count).
// `commit_times` maps a commit sha to its commit time in seconds since the epoch; releases whose
// commit is missing there have no lead time.
DoraStats compute_dora_stats(const std::vector<ReleaseDetail>& releases,
                             const std::map<std::string, std::int64_t>& commit_times,
                             long long since_ms, long long until_ms);

// Median and p90 of `values` (any order); empty values give an empty spread.
Spread spread_of(std::vector<long long> values);

// The start of a window: "90d", "12w", "36h" before `now_ms`, or a date YYYY-MM-DD (UTC);
// nullopt when the text is none of these.
std::optional<long long> parse_since(const std::string& text, long long now_ms);

// Text for `golive stats`: a block per environment and a per-week table.
std::string format_dora_stats(const DoraStats& stats);

// "3d 4h", "2h05m", "45s", "-" for none.
std::string format_spread_ms(const std::optional<long long>& ms);

}  // namespace golive
