// DORA figures from a real SQLite ledger holding known releases, at a fixed "now".
#include "orchestrator/insight/dora_stats.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "golive/env_check.h"
#include "orchestrator/cli/insight_commands.h"
#include "tests/harness/check_fakes.h"
#include "tests/orchestrator/insight/known_ledger.h"

namespace golive {
namespace {

using testing::kDayMs;
using testing::kNowMs;

class DoraStatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "golive-stats-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto ledger = open_sqlite_ledger(dir_ + "/ledger.db");
    ASSERT_TRUE(ledger) << ledger.error().message;
    ledger_ = std::move(*ledger);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(DoraStatsTest, ExactFiguresForKnownReleases) {
  auto releases = testing::write_known_releases(*ledger_);
  DoraStats s =
      compute_dora_stats(releases, testing::known_commit_times(), kNowMs - 28 * kDayMs, kNowMs);
  EXPECT_DOUBLE_EQ(s.days, 28.0);
  // All environments: 6 deploys started (the manual rollback is not a deploy), 5 reached hosts
  // (one was blocked), 4 went live; one rolled back by itself, one rolled back by hand later.
  EXPECT_EQ(s.all.attempts, 6);
  EXPECT_EQ(s.all.reached_hosts, 5);
  EXPECT_EQ(s.all.deployments, 4);
  EXPECT_DOUBLE_EQ(s.all.deploys_per_week, 1.0);
  EXPECT_EQ(s.all.change_failures, 2);
  ASSERT_TRUE(s.all.change_failure_rate);
  EXPECT_DOUBLE_EQ(*s.all.change_failure_rate, 0.4);
  // Lead times 2h05m, 24h, 1h, 1h: median (1h + 2h05m) / 2, p90 the largest (nearest rank).
  EXPECT_EQ(s.all.lead_time.samples, 4);
  EXPECT_EQ(*s.all.lead_time.median_ms, 5'550'000);
  EXPECT_EQ(*s.all.lead_time.p90_ms, 86'400'000);
  // Time to restore: 2 min (automatic), 1 min (manual).
  EXPECT_EQ(s.all.time_to_restore.samples, 2);
  EXPECT_EQ(*s.all.time_to_restore.median_ms, 90'000);
  EXPECT_EQ(*s.all.time_to_restore.p90_ms, 120'000);

  ASSERT_EQ(s.per_environment.size(), 2u);
  const DoraFigures& prod = s.per_environment.at("production");
  EXPECT_EQ(prod.attempts, 5);
  EXPECT_EQ(prod.reached_hosts, 4);
  EXPECT_EQ(prod.deployments, 3);
  EXPECT_DOUBLE_EQ(prod.deploys_per_week, 0.75);
  EXPECT_DOUBLE_EQ(*prod.change_failure_rate, 0.5);
  EXPECT_EQ(*prod.lead_time.median_ms, 7'500'000);
  EXPECT_EQ(*prod.lead_time.p90_ms, 86'400'000);
  const DoraFigures& staging = s.per_environment.at("staging");
  EXPECT_EQ(staging.deployments, 1);
  EXPECT_DOUBLE_EQ(*staging.change_failure_rate, 0.0);
  EXPECT_EQ(*staging.lead_time.median_ms, 3'600'000);
  EXPECT_EQ(staging.time_to_restore.samples, 0);
  EXPECT_FALSE(staging.time_to_restore.median_ms);

  // Five ISO weeks touch the window (Mondays 11-02 .. 11-30), zeros included.
  ASSERT_EQ(s.weeks.size(), 5u);
  EXPECT_EQ(s.weeks[0].week, "2026-11-02");
  EXPECT_EQ(s.weeks[0].deployments, 1);
  EXPECT_EQ(s.weeks[0].change_failures, 1);
  EXPECT_EQ(s.weeks[1].deployments, 1);
  EXPECT_EQ(s.weeks[1].change_failures, 0);
  EXPECT_EQ(s.weeks[2].deployments, 1);
  EXPECT_EQ(s.weeks[2].change_failures, 1);
  EXPECT_EQ(s.weeks[3].deployments, 1);
  EXPECT_EQ(s.weeks[4].week, "2026-11-30");
  EXPECT_EQ(s.weeks[4].deployments, 0);

  const std::string text = format_dora_stats(s);
  EXPECT_NE(text.find("change failure rate    40% (2 of 5 that reached hosts)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("median 1h32m, p90 1d 0h"), std::string::npos) << text;
}

TEST_F(DoraStatsTest, EmptyLedgerAndOneRelease) {
  DoraStats empty = compute_dora_stats({}, {}, kNowMs - 90 * kDayMs, kNowMs);
  EXPECT_EQ(empty.all.attempts, 0);
  EXPECT_FALSE(empty.all.change_failure_rate);
  EXPECT_FALSE(empty.all.lead_time.median_ms);
  EXPECT_NE(format_dora_stats(empty).find("No releases recorded"), std::string::npos);

  auto releases = testing::write_known_releases(*ledger_);
  // Only the staging release is in the last 7 days: one sample, no restore.
  DoraStats one =
      compute_dora_stats(releases, testing::known_commit_times(), kNowMs - 7 * kDayMs, kNowMs);
  EXPECT_EQ(one.all.deployments, 1);
  EXPECT_EQ(*one.all.lead_time.median_ms, 3'600'000);
  EXPECT_EQ(*one.all.lead_time.p90_ms, 3'600'000);
  EXPECT_EQ(one.all.time_to_restore.samples, 0);
  EXPECT_NE(format_dora_stats(one).find("time to restore        median -, p90 -"),
            std::string::npos);
}

TEST(DoraSpread, MedianAndNearestRankP90) {
  EXPECT_EQ(*spread_of({5}).median_ms, 5);
  EXPECT_EQ(*spread_of({4, 1, 3, 2}).median_ms, 2);  // (2 + 3) / 2, integer ms
  std::vector<long long> ten{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(*spread_of(ten).p90_ms, 9);
  EXPECT_FALSE(spread_of({}).p90_ms);
}

TEST(DoraSince, SpansAndDates) {
  EXPECT_EQ(*parse_since("90d", kNowMs), kNowMs - 90 * kDayMs);
  EXPECT_EQ(*parse_since("2w", kNowMs), kNowMs - 14 * kDayMs);
  EXPECT_EQ(*parse_since("36h", kNowMs), kNowMs - 36 * 3'600'000LL);
  EXPECT_EQ(*parse_since("2026-11-30", kNowMs), kNowMs - 12 * 3'600'000LL);
  EXPECT_FALSE(parse_since("soon", kNowMs));
  EXPECT_FALSE(parse_since("0d", kNowMs));
}

// Through the CLI's loader with a fake clock: the window ends at the clock's now.
TEST_F(DoraStatsTest, LoaderUsesTheClockAndTheLedger) {
  testing::write_known_releases(*ledger_);
  AppContext app;
  auto clock = std::make_unique<testing::FakeClock>();
  clock->advance(std::chrono::milliseconds(
      kNowMs -
      std::chrono::duration_cast<std::chrono::milliseconds>(clock->wall().time_since_epoch())
          .count()));
  app.clock = std::move(clock);
  app.options.file = dir_ + "/no-runbook.yml";
  app.options.ledger = dir_ + "/ledger.db";
  app.open_ledger = [](const std::string& p) { return open_sqlite_ledger(p); };
  app.open_git = [](const std::string&) -> Result<std::unique_ptr<GitRepo>> {
    return fail("no repository in this test");
  };
  app.reporter = std::make_unique<Reporter>(app.redactor, ReporterOptions{true, false, false, ""});
  auto data = load_insight_data(app, "production", "28d");
  ASSERT_TRUE(data) << data.error().message;
  EXPECT_EQ(data->until_ms, kNowMs);
  EXPECT_EQ(data->releases.size(), 6u);  // production releases in the window, rollback included
  EXPECT_TRUE(data->commit_times.empty());
  DoraStats s =
      compute_dora_stats(data->releases, data->commit_times, data->since_ms, data->until_ms);
  EXPECT_EQ(s.all.deployments, 3);
  EXPECT_EQ(s.all.lead_time.samples, 0);  // no git: no lead time, the rest stands
  auto bad = load_insight_data(app, "", "yesterday");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().exit, ExitCode::kUsage);
}

}  // namespace
}  // namespace golive
