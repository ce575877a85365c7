#include "orchestrator/ledger/ledger_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace golive {
namespace {

ReleaseRecord release(const std::string& id, const std::string& env, const std::string& status) {
  ReleaseRecord r;
  r.id = id;
  r.environment = env;
  r.commit = "3f2a9c1d0e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49";
  r.subject = "Fix login redirect";
  r.deployer = "alice";
  r.started_at = "2026-11-29T10:15:00Z";
  r.finished_at = "2026-11-29T10:17:03Z";
  r.status = status;
  return r;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(LedgerReport, FormatsDurations) {
  EXPECT_EQ(duration_ms("2026-11-29T10:15:00Z", "2026-11-29T10:17:03.5Z"), 123'500);
  EXPECT_EQ(duration_ms("2026-11-30T23:59:00Z", "2026-12-01T00:01:00Z"), 120'000);
  EXPECT_EQ(duration_ms("", "2026-11-29T10:17:03Z"), -1);
  EXPECT_EQ(duration_ms("yesterday", "2026-11-29T10:17:03Z"), -1);
}

TEST(LedgerReport, HistoryIsOneAlignedLinePerRelease) {
  auto a = release("20261129T101500Z-3f2a9c1", "production", "succeeded");
  auto b = release("20261128T090000Z-aaaaaaa", "staging", "running");
  b.finished_at.clear();
  b.deployer = "ci-bot";
  b.trigger = "ci";
  auto text = format_history({a, b});
  auto out = lines(text);
  ASSERT_EQ(out.size(), 3u) << text;
  EXPECT_NE(out[1].find("3f2a9c1 Fix login redirect"), std::string::npos);
  EXPECT_NE(out[1].find("alice"), std::string::npos);
  EXPECT_NE(out[1].find("2026-11-29 10:15:00Z"), std::string::npos);
  EXPECT_NE(out[1].find("2m03s"), std::string::npos);
  EXPECT_NE(out[2].find("ci-bot (ci)"), std::string::npos);
  EXPECT_NE(out[2].find("running"), std::string::npos);
  // Columns line up: STATUS starts at the same position on every line.
  auto col = out[0].find("STATUS");
  EXPECT_EQ(out[1].substr(col, 9), "succeeded");
  EXPECT_EQ(out[2].substr(col, 7), "running");
  EXPECT_EQ(format_history({}), "No releases recorded.\n");
}

TEST(LedgerReport, HistoryTruncatesLongSubjects) {
  auto a = release("r1", "production", "succeeded");
  a.subject = "A very long commit subject that goes on and on and on beyond forty chars";
  auto text = format_history({a});
  EXPECT_NE(text.find("A very long commit subject that goes on…"), std::string::npos) << text;
}

TEST(LedgerReport, HistoryStripsTerminalEscapesFromUntrustedText) {
  auto a = release("r1", "production", "succeeded");
  a.subject = "evil \x1b[2J\nsubject";
  auto text = format_history({a});
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(lines(text).size(), 2u);
}

TEST(LedgerReport, ShowTellsTheWholeStory) {
  ReleaseDetail d;
  d.release = release("20261129T101500Z-3f2a9c1", "production", "rolled_back");
  d.release.ref = "main";
  d.release.runbook_hash = "sha256:abc";
  d.release.runbook_commit = "3f2a9c1d0e8b";
  d.release.reason = "weekly release";
  d.release.ci_url = "https://ci.example.com/run/7";
  d.release.time_to_restore_ms = 41'000;
  d.steps = {{"x", "web1", "upload", "deploy", "2026-11-29T10:15:02Z", "2026-11-29T10:15:05Z", 0,
              "ok", ""},
             {"x", "web1", "restart", "deploy", "2026-11-29T10:15:06Z", "2026-11-29T10:15:07Z", 1,
              "failed", "unit failed\n\x1b[31mred\x1b[0m"},
             {"x", "web2", "upload", "deploy", "2026-11-29T10:15:02Z", "2026-11-29T10:15:04Z", 0,
              "ok", ""},
             {"x", "web1", "switch", "rollback", "2026-11-29T10:16:01Z", "2026-11-29T10:16:02Z", 0,
              "ok", ""}};
  d.checks = {{"x", "home", "web1", "gate", 3, 12, 40, false, "HTTP 500"}};
  d.events = {{"x", "lock_taken", "by alice", "2026-11-29T10:15:01Z"},
              {"x", "rollback_started", "gate failed", "2026-11-29T10:16:00Z"}};
  std::string text = format_show(d);
  for (const char* expected : {"Release 20261129T101500Z-3f2a9c1  production  rolled_back",
                               "(main) Fix login redirect",
                               "sha256:abc @ 3f2a9c1",
                               "https://ci.example.com/run/7",
                               "weekly release",
                               "41s",
                               "\nSteps\n  web1\n",
                               "  web2\n",
                               "exit 1",
                               "| unit failed",
                               "Checks",
                               "FAILED",
                               "3 attempts",
                               "p50 12ms p95 40ms",
                               "HTTP 500",
                               "Events",
                               "lock_taken",
                               "Rollback",
                               "rollback_started",
                               "switch"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  // Rollback steps are listed under Rollback, after the deploy steps.
  EXPECT_GT(text.find("switch"), text.find("Rollback"));
}

TEST(LedgerReport, JsonIsParseableWithDurations) {
  auto a = release("r1", "production", "succeeded");
  auto h = nlohmann::json::parse(history_json({a}));
  ASSERT_TRUE(h.is_array());
  EXPECT_EQ(h[0]["id"], "r1");
  EXPECT_EQ(h[0]["duration_ms"], 123'000);
  ReleaseDetail d;
  d.release = a;
  d.steps = {{"r1", "web1", "upload", "deploy", "2026-11-29T10:15:02Z", "2026-11-29T10:15:05Z", 0,
              "ok", std::string("bad \xff utf8")}};
  auto s = nlohmann::json::parse(show_json(d));
  EXPECT_EQ(s["release"]["status"], "succeeded");
  EXPECT_EQ(s["steps"][0]["duration_ms"], 3000);
  EXPECT_TRUE(s["checks"].is_array());
  EXPECT_TRUE(s["events"].is_array());
}

}  // namespace
}  // namespace golive
