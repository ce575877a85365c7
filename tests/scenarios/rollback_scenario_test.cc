// Issue 7 end to end: automatic and manual rollbacks through the real binary on the sandbox
// fleet. Every restore is verified with the test's own HTTP request to each host's /healthz.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "tests/harness/scenario.h"
#include "tests/scenarios/scenario_helpers.h"

namespace golive::testing {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Every host has deploy steps with timings; the record carries checks and rollback events.
void expect_complete_rollback_record(const json& detail, int hosts) {
  ASSERT_TRUE(detail.is_object());
  std::set<std::string> deploy_hosts, rollback_hosts;
  for (const auto& st : detail["steps"]) {
    EXPECT_FALSE(st.value("started_at", "").empty()) << st.dump();
    EXPECT_FALSE(st.value("started_at", "").starts_with("1970")) << "no real timing: " << st.dump();
    EXPECT_FALSE(st.value("finished_at", "").empty()) << st.dump();
    EXPECT_TRUE(st.contains("duration_ms")) << st.dump();
    if (st.value("phase", "") == "deploy") deploy_hosts.insert(st.value("host", ""));
    if (st.value("phase", "") == "rollback") rollback_hosts.insert(st.value("host", ""));
  }
  EXPECT_EQ(static_cast<int>(deploy_hosts.size()), hosts) << detail["steps"].dump(1);
  EXPECT_FALSE(rollback_hosts.empty()) << detail["steps"].dump(1);
  auto kinds = event_kinds(detail);
  EXPECT_TRUE(has(kinds, "rollback_started")) << detail["events"].dump(1);
  EXPECT_TRUE(has(kinds, "rollback_finished")) << detail["events"].dump(1);
}

TEST(RollbackScenario, BrokenLoginGateRestoresV1EverywhereNotifiesAndRecords) {
  Scenario s(3);
  WebhookSink hook;
  s.write("golive.yml", runbook(s, "", "", notify_block(hook.url())));
  s.commit("v1 with notify");
  std::string v1 = deploy_ok(s);
  expect_all_serve(s, v1);

  s.set_break({"login"});
  std::string sha = s.commit("v2: login broken");
  auto t0 = SteadyClock::now();
  GoliveRun run = s.golive({"deploy", "staging", "--reason", "ship v2", "--json"});
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t0);
  EXPECT_EQ(run.exit_code, 1) << run.all();
  std::string v2 = release_of(run);
  ASSERT_FALSE(v2.empty()) << run.all();
  expect_all_serve(s, v1);
  EXPECT_EQ(status_in_history(s, v2), "rolled_back");
  expect_no_secret(run.all(), "deploy output");

  json detail = show(s, v2);
  expect_complete_rollback_record(detail, 3);
  EXPECT_FALSE(detail["checks"].empty()) << detail.dump(1);
  EXPECT_GE(detail["release"].value("time_to_restore_ms", -1), 0) << detail["release"].dump(1);
  expect_no_secret(detail.dump(), "show --json");
  print_ttr("gate failure (3 hosts), recorded", detail["release"].value("time_to_restore_ms", -1));
  print_ttr("gate failure (3 hosts), whole deploy wall time", elapsed.count());

  auto bodies = hook.wait_for(2);
  ASSERT_GE(bodies.size(), 2u);  // v1 succeeded, v2 rolled_back
  json rolled = parse(bodies.back());
  ASSERT_TRUE(rolled.is_object()) << bodies.back();
  EXPECT_EQ(rolled.value("event", ""), "rolled_back");
  EXPECT_EQ(rolled.value("environment", ""), "staging");
  EXPECT_EQ(rolled.value("release", ""), v2);
  EXPECT_EQ(rolled.value("commit", "").substr(0, sha.size()), sha);
  EXPECT_NE(rolled.value("why", "").find("login"), std::string::npos) << bodies.back();
  for (const auto& b : bodies) expect_no_secret(b, "webhook payload");

  GoliveRun verify = s.golive({"ledger", "verify", "--hosts", "staging"});
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
}

// `gate_each_batch: false`: one gate over the whole fleet after the last batch. It passes a good
// release and rolls every host back from a broken login, as the per-batch gates do.
TEST(RollbackScenario, OneGateAfterTheLastBatchPassesV1AndRollsBackABrokenLogin) {
  Scenario s(3);
  std::string y = runbook(s, "", "", "");
  y = Scenario::replace(
      y, "    env_file: .env.staging\n",
      "    env_file: .env.staging\n    strategy: { batch: 1, gate_each_batch: false }\n");
  s.write("golive.yml", y);
  s.commit("v1, gated once");
  GoliveRun first = s.golive({"deploy", "staging", "--reason", "ship v1", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.all();
  EXPECT_EQ(first.all().find("gate for batch"), std::string::npos) << first.all();
  const std::string v1 = release_of(first);
  expect_all_serve(s, v1);

  s.set_break({"login"});
  s.commit("v2: login broken");
  GoliveRun run = s.golive({"deploy", "staging", "--reason", "ship v2", "--json"});
  EXPECT_EQ(run.exit_code, 1) << run.all();
  EXPECT_NE(run.all().find("gate failed: login"), std::string::npos) << run.all();
  const std::string v2 = release_of(run);
  ASSERT_FALSE(v2.empty()) << run.all();
  expect_all_serve(s, v1);
  EXPECT_EQ(status_in_history(s, v2), "rolled_back");
}

TEST(RollbackScenario, StepFailureOnSecondHostAfterFirstSwitchedRestoresAllAndUndoesOnce) {
  Scenario s(3);
  std::string v1 = deploy_ok(s);
  // The environment with a one-host-at-a-time strategy.
  std::string y = runbook(s,
                          steps_block("",
                                      "  - { name: guard, run: \"[ {{ host.name }} != "
                                      "web2 ]\" }\n"),
                          "", "");
  auto pos = y.find("    env_file: .env.staging\n");
  ASSERT_NE(pos, std::string::npos);
  y.insert(pos, "    strategy: { parallel: 1, batch: 1 }\n");
  s.write("golive.yml", y);
  s.commit("v2: guard fails on web2");
  auto t0 = SteadyClock::now();
  GoliveRun run = s.golive({"deploy", "staging", "--json"});
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t0);
  EXPECT_EQ(run.exit_code, 1) << run.all();
  std::string v2 = release_of(run);
  ASSERT_FALSE(v2.empty()) << run.all();
  EXPECT_NE(run.all().find("web2"), std::string::npos) << run.all();
  expect_all_serve(s, v1);
  // web3 never went live (batch 1 stopped at web2): its release dir is gone.
  EXPECT_FALSE(std::filesystem::exists(s.root(3) + "/releases/" + v2));
  EXPECT_EQ(status_in_history(s, v2), "rolled_back");
  json detail = show(s, v2);
  expect_complete_rollback_record(detail, 2);  // web3 never started
  print_ttr("step failure on web2 of 3 (batch 1), recorded",
            detail["release"].value("time_to_restore_ms", -1));
  print_ttr("step failure on web2 of 3, whole deploy wall time", elapsed.count());

  // The `once` migration ran (and was undone) on web1 only, exactly once.
  std::ifstream log(s.root(1) + "/shared/migrations.log");
  std::stringstream ss;
  ss << log.rdbuf();
  std::string text = ss.str();
  int downs = 0;
  for (std::size_t p = 0; (p = text.find("down " + v2, p)) != std::string::npos; ++p) ++downs;
  EXPECT_EQ(downs, 1) << text;
  for (int k = 2; k <= 3; ++k) {
    std::ifstream other(s.root(k) + "/shared/migrations.log");
    std::stringstream os;
    os << other.rdbuf();
    EXPECT_EQ(os.str().find("down"), std::string::npos) << "web" << k << ": " << os.str();
  }
}

TEST(RollbackScenario, FailingRollbackStepExitsFourAndNotifiesRollbackFailed) {
  Scenario s(3);
  WebhookSink hook;
  s.write("golive.yml", runbook(s, "", "", notify_block(hook.url())));
  s.commit("v1 with notify");
  std::string v1 = deploy_ok(s);
  s.write("golive.yml", runbook(s, "", "rollback:\n  - { name: broken, run: \"exit 1\" }\n",
                                notify_block(hook.url())));
  s.set_break({"login"});
  s.commit("v2: login broken, rollback step broken");
  GoliveRun run = s.golive({"deploy", "staging", "--json"});
  EXPECT_EQ(run.exit_code, 4) << run.all();
  std::string v2 = release_of(run);
  EXPECT_EQ(status_in_history(s, v2), "rollback_failed");
  json detail = show(s, v2);
  expect_complete_rollback_record(detail, 3);
  auto bodies = hook.wait_for(2);
  ASSERT_GE(bodies.size(), 2u);
  json last = parse(bodies.back());
  EXPECT_EQ(last.value("event", ""), "rollback_failed") << bodies.back();
  EXPECT_EQ(last.value("release", ""), v2);
  for (const auto& b : bodies) expect_no_secret(b, "webhook payload");
}

TEST(RollbackScenario, RollbackOverBudgetExitsFourQuicklyNamingTheBudget) {
  Scenario s(3);
  std::string v1 = deploy_ok(s);
  s.write("golive.yml", runbook(s, "", "rollback:\n  - { name: slow, run: \"sleep 300\" }\n", "",
                                kShortGate, "budget: { rollback: 2s }"));
  s.set_break({"login"});
  s.commit("v2: login broken, slow rollback");
  auto t0 = SteadyClock::now();
  GoliveRun run = s.golive({"deploy", "staging", "--json"});
  auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(SteadyClock::now() - t0);
  EXPECT_EQ(run.exit_code, 4) << run.all();
  EXPECT_NE(run.all().find("budget"), std::string::npos) << run.all();
  EXPECT_NE(run.all().find("2s"), std::string::npos) << run.all();
  // Build + ship + a 2 s gate + a 2 s budget: nowhere near the 300 s of the rollback step, even
  // on a loaded CI box.
  EXPECT_LT(elapsed.count(), 120) << run.all();
  EXPECT_EQ(status_in_history(s, release_of(run)), "rollback_failed");
  json detail = show(s, release_of(run));
  expect_complete_rollback_record(detail, 3);
  bool named = false;
  for (const auto& e : detail["events"]) {
    if (e.value("kind", "") == "rollback_finished" &&
        e.value("detail", "").find("budget") != std::string::npos) {
      named = true;
    }
  }
  EXPECT_TRUE(named) << detail["events"].dump(1);
}

TEST(RollbackScenario, ManualRollbackWithEmptyLedgerRestoresPreviousAndRecordsIt) {
  Scenario s(3);
  std::string v1 = deploy_ok(s);
  s.write("app/static/v2.txt", "v2\n");
  s.commit("v2");
  std::string v2 = deploy_ok(s);
  expect_all_serve(s, v2);
  std::filesystem::remove(s.ledger());  // a fresh on-call laptop

  auto t0 = SteadyClock::now();
  GoliveRun run = s.golive({"rollback", "staging", "--reason", "x", "--json"});
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t0);
  ASSERT_EQ(run.exit_code, 0) << run.all();
  expect_all_serve(s, v1);
  print_ttr("manual rollback (3 hosts, empty ledger), wall time", elapsed.count());

  json out;
  {
    std::istringstream in(run.out);
    std::string line;
    while (std::getline(in, line)) {
      auto j = parse(line);
      if (j.is_object() && j.contains("rollback")) out = j;
    }
  }
  ASSERT_TRUE(out.is_object()) << run.out;
  print_ttr("manual rollback (3 hosts, empty ledger), golive's restore_ms",
            out.value("restore_ms", -1LL));
  EXPECT_EQ(out.value("from", ""), v2);
  EXPECT_EQ(out.value("to", ""), v1);
  json detail = show(s, out.value("rollback", ""));
  const json& rec = detail["release"];
  EXPECT_EQ(rec.value("reason", ""), "x");
  EXPECT_EQ(rec.value("trigger", ""), "rollback");
  EXPECT_FALSE(rec.value("deployer", "").empty());
  EXPECT_EQ(rec.value("previous_release", ""), v2);
  // The restored release's commit in `commit`, release ids in their own fields.
  EXPECT_EQ(rec.value("ref", ""), v1);
  EXPECT_FALSE(rec.value("commit", "").empty());
  EXPECT_EQ(rec.value("commit", ""), Scenario::sh("git -C " + s.repo() + " rev-parse HEAD~1"));
  EXPECT_EQ(rec.value("status", ""), "rolled_back");
  auto kinds = event_kinds(detail);
  EXPECT_TRUE(has(kinds, "rollback_started")) << detail.dump(1);
  EXPECT_TRUE(has(kinds, "rollback_finished")) << detail.dump(1);
  GoliveRun verify = s.golive({"ledger", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
}

// Deploys v1, v2, v3 (all good); returns their ids.
std::vector<std::string> three_good_releases(Scenario& s) {
  std::vector<std::string> ids{deploy_ok(s)};
  for (const char* v : {"v2", "v3"}) {
    s.write(std::string("app/static/") + v + ".txt", std::string(v) + "\n");
    s.commit(v);
    ids.push_back(deploy_ok(s));
  }
  expect_all_serve(s, ids[2]);
  return ids;
}

TEST(RollbackScenario, RollbackToAnOlderRelease) {
  Scenario s(3);
  auto ids = three_good_releases(s);
  GoliveRun to = s.golive({"rollback", "staging", "--to", ids[0], "--reason", "back to v1"});
  ASSERT_EQ(to.exit_code, 0) << to.all();
  expect_all_serve(s, ids[0]);
  GoliveRun verify = s.golive({"ledger", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
}

TEST(RollbackScenario, ConsecutiveRollbacksNeverFlipFlopOntoTheBadRelease) {
  Scenario s(3);
  auto ids = three_good_releases(s);
  // v3 -> v2 (v3 marked bad) -> v1, never back onto v3.
  GoliveRun first = s.golive({"rollback", "staging", "--reason", "v3 bad"});
  ASSERT_EQ(first.exit_code, 0) << first.all();
  expect_all_serve(s, ids[1]);
  GoliveRun second = s.golive({"rollback", "staging", "--reason", "v2 bad too"});
  ASSERT_EQ(second.exit_code, 0) << second.all();
  expect_all_serve(s, ids[0]);
  // Nothing earlier than v1: a third rollback refuses instead of moving forward onto v2/v3.
  GoliveRun third = s.golive({"rollback", "staging", "--reason", "again"});
  EXPECT_EQ(third.exit_code, 2) << third.all();
  expect_all_serve(s, ids[0]);

  // Forward to v4 (keep: 3 prunes), then roll back: v1 is still the target and still there.
  s.write("app/static/v4.txt", "v4\n");
  s.commit("v4");
  std::string v4 = deploy_ok(s);
  expect_all_serve(s, v4);
  GoliveRun back = s.golive({"rollback", "staging", "--reason", "v4 bad"});
  ASSERT_EQ(back.exit_code, 0) << back.all();
  expect_all_serve(s, ids[0]);
  GoliveRun verify = s.golive({"ledger", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
}

TEST(RollbackScenario, FailureBeforeTheSwitchCleansUpAndNeverMovesCurrent) {
  Scenario s(3);
  WebhookSink hook;
  std::string v1 = deploy_ok(s);
  s.write("golive.yml", runbook(s, steps_block("  - { name: precheck, run: \"exit 3\" }\n", ""), "",
                                notify_block(hook.url())));
  s.commit("v2: precheck fails");
  GoliveRun run = s.golive({"deploy", "staging", "--json"});
  EXPECT_EQ(run.exit_code, 1) << run.all();
  std::string v2 = release_of(run);
  ASSERT_FALSE(v2.empty());
  expect_all_serve(s, v1);
  for (int k = 1; k <= 3; ++k) {
    EXPECT_FALSE(std::filesystem::exists(s.root(k) + "/releases/" + v2)) << "web" << k;
  }
  EXPECT_EQ(status_in_history(s, v2), "failed");
  auto bodies = hook.wait_for(1);
  ASSERT_EQ(bodies.size(), 1u);
  json failed = parse(bodies[0]);
  EXPECT_EQ(failed.value("event", ""), "failed") << bodies[0];
  EXPECT_NE(failed.value("why", "").find("precheck"), std::string::npos) << bodies[0];
  GoliveRun verify = s.golive({"ledger", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
}

TEST(RollbackScenario, SigtermAfterHostsSwitchedRollsBackByItself) {
  Scenario s(3);
  std::string v1 = deploy_ok(s);
  s.write("golive.yml",
          runbook(s, steps_block("", "  - { name: warm caches, run: \"sleep 30\" }\n"), "", ""));
  s.commit("v2: slow step after switch");
  pid_t pid = s.start_golive({"deploy", "staging", "--json"});
  bool switched = Scenario::wait_until(
      [&] {
        for (int k = 1; k <= 3; ++k) {
          if (s.current(k) == v1 || s.current(k).empty()) return false;
        }
        return true;
      },
      std::chrono::seconds(90));  // returns once switched; generous for ASan-built golive
  // Let the restarts finish and the slow step begin.
  Scenario::wait_until(
      [&] {
        for (int k = 1; k <= 3; ++k) {
          if (s.healthz(k) == "ok " + v1) return false;
        }
        return true;
      },
      std::chrono::seconds(15));
  auto t0 = SteadyClock::now();
  ::kill(pid, SIGTERM);
  GoliveRun run = s.wait_golive(pid);
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t0);
  ASSERT_TRUE(switched) << run.all();
  EXPECT_EQ(run.exit_code, 1) << run.all();
  expect_all_serve(s, v1);
  std::string v2 = release_of(run);
  std::string status = status_in_history(s, v2);
  EXPECT_TRUE(status == "interrupted" || status == "rolled_back") << status;
  print_ttr("SIGTERM after switch (3 hosts), signal to exit", elapsed.count());
  EXPECT_LT(elapsed.count(), 20000) << run.all();
}

}  // namespace
}  // namespace golive::testing
