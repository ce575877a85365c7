// Issue 17: the crash-point matrix. golive is killed with SIGKILL (GOLIVE_CRASH_AT, see
// include/golive/crash_point.h) at every phase boundary of a 3-host deploy, of a deploy that
// rolls itself back, and of an on-call `golive rollback`. For every point: each host serves
// exactly the old or the new release (never a missing or dangling `current`), the ledger says
// `interrupted` once the next command ran, the lock left behind is reclaimed automatically (its
// writer is dead), and the next deploy or rollback succeeds with every host verified.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "tests/harness/scenario.h"
#include "tests/scenarios/scenario_helpers.h"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

enum class Killed { kDeploy, kFailingDeploy, kManualRollback };

struct CrashPoint {
  const char* at;  // GOLIVE_CRASH_AT
  Killed what;
  bool finished;  // the kill came after the record was finished: its status stays final
};

const CrashPoint kPoints[] = {
    {"after-record", Killed::kDeploy, false},
    {"after-build", Killed::kDeploy, false},
    {"after-connect", Killed::kDeploy, false},
    {"after-lock", Killed::kDeploy, false},
    {"after-step:web1:upload", Killed::kDeploy, false},
    {"after-step:web1:migrate", Killed::kDeploy, false},
    {"after-step:web1:switch", Killed::kDeploy, false},  // 1 of 3 hosts switched
    {"after-step:web1:restart", Killed::kDeploy, false},
    {"after-step:web2:switch", Killed::kDeploy, false},  // 2 of 3 hosts switched
    {"during:gate", Killed::kDeploy, false},
    {"after-gate", Killed::kDeploy, false},
    {"after-finish-record", Killed::kDeploy, true},
    {"rollback-start", Killed::kFailingDeploy, false},
    {"after-switch-back:web1", Killed::kFailingDeploy, false},
    {"after-rollback-restore", Killed::kFailingDeploy, false},
    {"during:verify", Killed::kFailingDeploy, false},
    {"after-finish-record", Killed::kFailingDeploy, true},
    {"rollback-started", Killed::kManualRollback, false},
    {"after-switch-back:web1", Killed::kManualRollback, false},
    {"after-rollback-restore", Killed::kManualRollback, false},
    {"during:verify", Killed::kManualRollback, false},
    {"after-finish-record", Killed::kManualRollback, true},
};

std::set<std::string> recorded_ids(Scenario& s) {
  std::set<std::string> ids;
  GoliveRun run = s.golive({"history", "--json", "--limit", "50"});
  json j = parse(run.out);
  if (j.is_array()) {
    for (const auto& r : j) ids.insert(r.value("id", ""));
  }
  return ids;
}

// `current` on every host is one of `allowed` and resolves to a release directory.
void expect_old_or_new(Scenario& s, const std::set<std::string>& allowed) {
  for (int k = 1; k <= s.hosts(); ++k) {
    const std::string cur = s.current(k);
    EXPECT_TRUE(allowed.count(cur)) << "web" << k << " serves '" << cur << "'";
    EXPECT_TRUE(fs::is_directory(s.root(k) + "/current")) << "web" << k << " current dangles";
  }
}

class CrashMatrix : public ::testing::TestWithParam<CrashPoint> {};

// Each point costs three real deploys or rollbacks on 3 hosts (a minute or more on a 2-core CI
// runner), so the default suite kills at a representative subset: a lock held, one and two of
// three hosts switched, the gate, a finished record, and each rollback kind mid-restore.
// GOLIVE_CRASH_MATRIX=all runs every point (docs/reliability.md gives the figures of a full run).
bool in_default_subset(const std::string& name) {
  static const std::set<std::string> kSubset = {
      "Deploy_after_lock",
      "Deploy_after_step_web1_switch",
      "Deploy_after_step_web2_switch",
      "Deploy_during_gate",
      "Deploy_after_finish_record",
      "FailingDeploy_rollback_start",
      "FailingDeploy_after_switch_back_web1",
      "ManualRollback_after_rollback_restore",
  };
  return kSubset.count(name) > 0;
}

TEST_P(CrashMatrix, KilledHereTheNextCommandRecovers) {
  const CrashPoint& p = GetParam();
  const char* all = std::getenv("GOLIVE_CRASH_MATRIX");
  const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  const std::string point = name.substr(name.find('/') + 1);
  if ((all == nullptr || std::string(all) != "all") && !in_default_subset(point)) {
    GTEST_SKIP() << "not in the default subset; GOLIVE_CRASH_MATRIX=all runs every point";
  }
  Scenario s(3);
  // One host at a time, so "after web1 switched" is a fleet with exactly one host switched.
  std::string y = runbook(s, "", "", "");
  y = Scenario::replace(y, "    env_file: .env.staging\n",
                        "    env_file: .env.staging\n    strategy: { parallel: 1, batch: 1 }\n");
  s.write("golive.yml", y);
  s.commit("one host at a time");
  const std::string v1 = deploy_ok(s, "v1");
  std::string v2;
  if (p.what == Killed::kManualRollback) {
    s.write("app/static/v2.txt", "v2\n");
    s.commit("v2");
    v2 = deploy_ok(s, "v2");
  } else {
    if (p.what == Killed::kFailingDeploy) s.set_break({"login"});
    s.write("app/static/v2.txt", "v2\n");
    s.commit("v2");
  }
  const std::set<std::string> before = recorded_ids(s);

  // The kill.
  std::vector<std::string> args = {"deploy", "staging", "--reason", "killed"};
  if (p.what == Killed::kManualRollback) args = {"rollback", "staging", "--reason", "killed"};
  GoliveRun killed = s.wait_golive(s.start_golive(args, {{"GOLIVE_CRASH_AT", p.at}}));
  ASSERT_EQ(killed.exit_code, -9) << "never reached " << p.at << ":\n" << killed.all();

  std::string new_id;
  for (const auto& id : recorded_ids(s)) {
    if (!before.count(id)) new_id = id;
  }
  ASSERT_FALSE(new_id.empty()) << "the killed command left no record";
  // Old or new on every host, never anything else.
  if (p.what == Killed::kManualRollback) {
    expect_old_or_new(s, {v1, v2});
  } else {
    expect_old_or_new(s, {v1, new_id});
  }

  // The next command.
  GoliveRun next;
  std::string expected;
  if (p.what == Killed::kManualRollback && !p.finished) {
    // The rollback left midway is finished, to the same target (not one release further back).
    next = s.golive({"rollback", "staging", "--reason", "after the crash", "--json"});
    expected = v1;
  } else {
    s.set_break({});
    s.write("app/static/v3.txt", "v3\n");
    s.commit("v3");
    next = s.golive({"deploy", "staging", "--reason", "after the crash", "--json"});
    expected = release_of(next);
  }
  EXPECT_EQ(next.exit_code, 0) << next.all();
  expect_all_serve(s, expected);
  const std::string status = status_in_history(s, new_id);
  if (p.finished) {
    EXPECT_NE(status, "running") << new_id;
  } else {
    EXPECT_EQ(status, "interrupted") << new_id;
  }
  if (p.what == Killed::kManualRollback) {
    // The rolled-back release is never offered again.
    for (int k = 1; k <= s.hosts(); ++k) {
      EXPECT_NE(Scenario::read_file(s.root(k) + "/.golive/bad").find(v2), std::string::npos)
          << "web" << k << " does not mark " << v2 << " bad";
    }
  }
  GoliveRun verify = s.golive({"ledger", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
}

std::string point_name(const ::testing::TestParamInfo<CrashPoint>& info) {
  std::string name = info.param.what == Killed::kDeploy          ? "Deploy_"
                     : info.param.what == Killed::kFailingDeploy ? "FailingDeploy_"
                                                                 : "ManualRollback_";
  for (const char* c = info.param.at; *c; ++c) name += std::isalnum(*c) ? *c : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(EveryPhaseBoundary, CrashMatrix, ::testing::ValuesIn(kPoints), point_name);

}  // namespace
}  // namespace golive::testing
