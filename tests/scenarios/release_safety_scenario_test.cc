// Issue 20 through the real binary on the sandbox fleet: release ids unique across ledgers,
// clean-up that only removes what its own run created, the env file versioned with the release,
// one rollback target (the newest good release) on every host, bookkeeping failures that do not
// escalate, a ledger that fails mid-deploy.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "golive/shell_quote.h"
#include "tests/harness/scenario.h"
#include "tests/scenarios/scenario_helpers.h"
#include "tests/scenarios/small_disk.h"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// `current` on webK resolves to an existing release directory.
void expect_current_resolves(Scenario& s, int k) {
  const std::string cur = s.current(k);
  ASSERT_FALSE(cur.empty()) << "web" << k << " has no current";
  EXPECT_TRUE(fs::is_directory(s.root(k) + "/current"))
      << "web" << k << " current dangles: " << cur;
}

// A runbook whose deploys are quick (no restart, no checks): ship, switch.
std::string quick_runbook(Scenario& s, const std::string& extra_env = "") {
  std::string y = s.default_runbook();
  y = replace_block(y, "steps",
                    "steps:\n  - { name: upload, upload: artifact }\n"
                    "  - { name: switch, switch: current }\n");
  y = replace_block(y, "checks", "");
  y = replace_block(y, "rollback", "");
  if (!extra_env.empty())
    y = Scenario::replace(y, "env:\n  example", extra_env + "env:\n  example");
  return y;
}

// Same commit, same second, two ledgers: before the fix both got one id, and the one whose
// `mkdir` lost ran `rm -rf` on the release the other had made live. Two environments list the
// same hosts in a different order, so each deploy takes its lock on a different host and both
// really ship at the same time.
TEST(ReleaseSafetyScenario, SameCommitSameSecondFromTwoLedgersKeepsTheLiveRelease) {
  Scenario s(2);
  const std::string port = std::to_string(s.app_port());
  std::string twin = "  twin:\n    env_file: .env.staging\n    vars: { port: \"" + port +
                     "\" }\n    hosts:\n      - { name: web2, address: " + s.address(2) +
                     " }\n      - { name: web1, address: " + s.address(1) + " }\n";
  s.write("golive.yml", quick_runbook(s, twin));
  s.commit("quick deploys, twin environment");
  const std::string ledger_a = s.dir() + "/a.db", ledger_b = s.dir() + "/b.db";
  pid_t a = s.start_golive({"deploy", "staging", "--json"}, {{"GOLIVE_LEDGER", ledger_a}});
  pid_t b = s.start_golive({"deploy", "twin", "--json"}, {{"GOLIVE_LEDGER", ledger_b}});
  GoliveRun ra = s.wait_golive(a), rb = s.wait_golive(b);
  EXPECT_EQ(ra.exit_code, 0) << ra.all();
  EXPECT_EQ(rb.exit_code, 0) << rb.all();
  const std::string ida = release_of(ra), idb = release_of(rb);
  ASSERT_FALSE(ida.empty());
  ASSERT_FALSE(idb.empty());
  EXPECT_NE(ida, idb) << "one commit, one second, two ledgers: ids must still differ";
  for (int k = 1; k <= 2; ++k) {
    expect_current_resolves(s, k);
    auto rel = s.releases(k);
    EXPECT_TRUE(std::count(rel.begin(), rel.end(), ida)) << "web" << k << " lost " << ida;
    EXPECT_TRUE(std::count(rel.begin(), rel.end(), idb)) << "web" << k << " lost " << idb;
  }

  // A third machine (ledger C) ships the same commit and fails before its switch: its clean-up
  // removes only its own release dir; the live one stays.
  const std::string live = s.current(1);
  s.write("golive.yml",
          Scenario::replace(quick_runbook(s, twin), "  - { name: switch, switch: current }\n",
                            "  - { name: precheck, run: \"exit 3\" }\n"
                            "  - { name: switch, switch: current }\n"));
  s.commit("precheck fails");
  GoliveRun rc = s.golive({"deploy", "staging", "--json"}, {{"GOLIVE_LEDGER", s.dir() + "/c.db"}});
  EXPECT_EQ(rc.exit_code, 1) << rc.all();
  const std::string idc = release_of(rc);
  for (int k = 1; k <= 2; ++k) {
    expect_current_resolves(s, k);
    EXPECT_FALSE(fs::exists(s.root(k) + "/releases/" + idc)) << "web" << k;
    EXPECT_TRUE(fs::is_directory(s.root(k) + "/releases/" + ida)) << "web" << k;
    EXPECT_TRUE(fs::is_directory(s.root(k) + "/releases/" + idb)) << "web" << k;
  }
  EXPECT_EQ(s.current(1), live);
}

// Issue 12's note: a deploy started in the same second as a blocked one, same commit, same
// ledger, is blocked by the lock (exit 3), not by "already in ledger" (exit 5).
TEST(ReleaseSafetyScenario, TwoDeploysOfOneCommitStartedInOneSecondGetDistinctRecords) {
  Scenario s(2);
  s.write("golive.yml", quick_runbook(s));
  s.commit("quick deploys");
  pid_t a = s.start_golive({"deploy", "staging", "--json"});
  pid_t b = s.start_golive({"deploy", "staging", "--json"});
  GoliveRun ra = s.wait_golive(a), rb = s.wait_golive(b);
  std::multiset<int> codes{ra.exit_code, rb.exit_code};
  EXPECT_TRUE(codes.count(0) >= 1) << ra.all() << rb.all();
  for (const GoliveRun* r : {&ra, &rb}) {
    EXPECT_FALSE(contains(r->all(), "already in ledger")) << r->all();
    EXPECT_TRUE(r->exit_code == 0 || r->exit_code == 3) << r->all();
  }
  EXPECT_NE(release_of(ra), release_of(rb));
  for (int k = 1; k <= 2; ++k) expect_current_resolves(s, k);
  GoliveRun verify = s.golive({"ledger", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
}

// The value of KEY in the environment of the portal process running on webK.
std::string running_env(Scenario& s, int k, const std::string& key) {
  const std::string pid = Scenario::read_file(s.root(k) + "/shared/portal.pid");
  std::string environ = Scenario::read_file("/proc/" + pid.substr(0, pid.find('\n')) + "/environ");
  const std::string prefix = key + "=";
  for (std::size_t p = 0; p < environ.size();) {
    std::size_t end = environ.find('\0', p);
    if (end == std::string::npos) end = environ.size();
    if (environ.compare(p, prefix.size(), prefix) == 0) {
      return environ.substr(p + prefix.size(), end - p - prefix.size());
    }
    p = end + 1;
  }
  return "(unset)";
}

void set_smoke_password(Scenario& s, const std::string& value) {
  std::string env = Scenario::read_file(s.repo() + "/.env.staging");
  const std::string old = "SMOKE_PASSWORD=demo-staging-FAKE-smoke-password";
  s.write(".env.staging", Scenario::replace(env, old, "SMOKE_PASSWORD=" + value));
}

// Issue 20 item 3: a rollback restores code and configuration together.
TEST(ReleaseSafetyScenario, RollbackRestoresTheOldEnvWithTheOldCode) {
  Scenario s(2);
  std::string v1 = deploy_ok(s);
  const std::string old_password = "demo-staging-FAKE-smoke-password";
  ASSERT_EQ(running_env(s, 1, "SMOKE_PASSWORD"), old_password);
  set_smoke_password(s, "rotated-FAKE-smoke-password-2");
  s.set_break({"login"});
  s.commit("v2: rotated smoke password, login broken");
  GoliveRun run = s.golive({"deploy", "staging", "--json"});
  EXPECT_EQ(run.exit_code, 1) << run.all();  // rolled back and verified (with v1's own env)
  expect_all_serve(s, v1);
  for (int k = 1; k <= 2; ++k) {
    EXPECT_EQ(running_env(s, k, "SMOKE_PASSWORD"), old_password) << "web" << k;
    EXPECT_TRUE(contains(Scenario::read_file(s.root(k) + "/shared/.env"), old_password));
    EXPECT_TRUE(contains(Scenario::read_file(s.root(k) + "/current/.env"), old_password));
  }
  EXPECT_FALSE(contains(run.all(), "rotated-FAKE")) << run.all();
}

// A failure before the switch leaves the live env file untouched.
TEST(ReleaseSafetyScenario, FailureBeforeTheSwitchLeavesTheLiveEnvUntouched) {
  Scenario s(2);
  std::string v1 = deploy_ok(s);
  std::vector<std::string> before;
  for (int k = 1; k <= 2; ++k) before.push_back(Scenario::read_file(s.root(k) + "/shared/.env"));
  set_smoke_password(s, "rotated-FAKE-smoke-password-3");
  s.write("golive.yml",
          runbook(s, steps_block("  - { name: precheck, run: \"exit 3\" }\n", ""), "", ""));
  s.commit("v2: rotated password, precheck fails");
  GoliveRun run = s.golive({"deploy", "staging", "--json"});
  EXPECT_EQ(run.exit_code, 1) << run.all();
  const std::string v2 = release_of(run);
  expect_all_serve(s, v1);
  for (int k = 1; k <= 2; ++k) {
    EXPECT_EQ(Scenario::read_file(s.root(k) + "/shared/.env"), before[k - 1]) << "web" << k;
    EXPECT_FALSE(fs::exists(s.root(k) + "/shared/env/" + v2 + ".env")) << "web" << k;
    EXPECT_EQ(running_env(s, k, "SMOKE_PASSWORD"), "demo-staging-FAKE-smoke-password");
  }
}

// v1 good everywhere, then a deploy killed (SIGKILL) after web1 switched and restarted: web1
// serves an unchecked release, web2 still v1, the lock left behind. Returns {v1, unchecked}.
std::pair<std::string, std::string> fleet_left_mixed_by_a_killed_deploy(Scenario& s) {
  std::string v1 = deploy_ok(s);
  std::string y = runbook(s, steps_block("", "  - { name: warm, run: \"sleep 30\" }\n"), "", "");
  y = Scenario::replace(y, "    env_file: .env.staging\n",
                        "    env_file: .env.staging\n    strategy: { parallel: 1, batch: 1 }\n");
  s.write("golive.yml", y);
  s.write("app/static/v2.txt", "v2\n");
  s.commit("v2: slow step after the switch, one host at a time");
  pid_t pid = s.start_golive({"deploy", "staging"});
  bool live = Scenario::wait_until(
      [&] {
        return s.current(1) != v1 && !s.current(1).empty() && s.healthz(1) == "ok " + s.current(1);
      },
      std::chrono::seconds(30));
  ::kill(pid, SIGKILL);
  s.wait_golive(pid);
  EXPECT_TRUE(live);
  std::string unchecked = s.current(1);
  EXPECT_NE(unchecked, v1);
  EXPECT_EQ(s.current(2), v1);
  s.write("golive.yml", runbook(s, "", "", ""));
  return {v1, unchecked};
}

// Issue 20 item 4: a failed deploy restores the newest release recorded good on every host,
// also the host a killed deploy left on a release that never passed its gate.
TEST(ReleaseSafetyScenario,
     FailedDeployRestoresTheLastGoodReleaseEvenWhereAKilledDeployLeftAnother) {
  Scenario s(2);
  auto [v1, unchecked] = fleet_left_mixed_by_a_killed_deploy(s);
  s.set_break({"login"});
  s.commit("v3: login broken");
  GoliveRun run = s.golive({"deploy", "staging", "--json"});
  EXPECT_EQ(run.exit_code, 1) << run.all();
  expect_all_serve(s, v1);
  EXPECT_TRUE(contains(run.all(), "rolling back to " + v1)) << run.all();
  EXPECT_TRUE(contains(run.all(), "restored " + v1)) << run.all();
}

// A manual rollback on a mixed fleet moves every host to one target and says which.
TEST(ReleaseSafetyScenario, ManualRollbackOnAMixedFleetMovesEveryHostToOneTarget) {
  Scenario s(2);
  auto [v1, unchecked] = fleet_left_mixed_by_a_killed_deploy(s);
  GoliveRun run = s.golive({"rollback", "staging", "--reason", "mixed fleet"});
  EXPECT_EQ(run.exit_code, 0) << run.all();
  expect_all_serve(s, v1);
  EXPECT_TRUE(contains(run.all(), "rollback target: " + v1)) << run.all();
  EXPECT_TRUE(contains(run.all(), unchecked + " -> " + v1)) << run.all();
}

// Issue 20 item 9: a full disk on a host that never switched is a failed deploy rolled back and
// verified (exit 1), not "a human must act" (exit 4), and the step names the real cause.
TEST(ReleaseSafetyScenario, FullDiskOnAHostThatNeverSwitchedIsVerifiedNotEscalated) {
  Scenario s(2);
  SmallDisk disk(s.root(2));
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  std::string v1 = deploy_ok(s);
  s.write("app/static/big.bin", std::string(1 << 20, 'x'));
  s.commit("v2: one more MiB");
  disk.fill();
  GoliveRun run = s.golive({"deploy", "staging", "--json"});
  EXPECT_EQ(run.exit_code, 1) << run.all();
  EXPECT_TRUE(contains(run.all(), "No space left on device")) << run.all();
  EXPECT_EQ(s.current(2), v1);
  EXPECT_TRUE(contains(run.all(), "web2: still serves " + v1 + " (verified)")) << run.all();
  expect_all_serve(s, v1);
}

}  // namespace
}  // namespace golive::testing
