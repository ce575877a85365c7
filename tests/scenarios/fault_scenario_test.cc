// Faults an operator meets, through the real binary on the sandbox fleet: signals at every stage
// of a deploy (issue 20 item 5), the deploy budget (item 8) and a host that freezes mid-step.
// Each ends with every host on a release that passed its gate, the lock free and the ledger
// saying what happened.
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "golive/shell_quote.h"
#include "tests/scenarios/scenario_helpers.h"

namespace golive::testing {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Waits until every host serves something other than `old` (the new release is live).
bool wait_all_switched_from(Scenario& s, const std::string& old) {
  return Scenario::wait_until(
      [&] {
        for (int k = 1; k <= s.hosts(); ++k) {
          if (s.healthz(k) == "ok " + old || s.healthz(k).rfind("ok ", 0) != 0) return false;
        }
        return true;
      },
      std::chrono::seconds(30));
}

void expect_lock_free(Scenario& s) {
  GoliveRun lock = s.golive({"lock", "status", "staging", "--json"});
  EXPECT_EQ(lock.exit_code, 0) << lock.all();
  EXPECT_NE(lock.out.find("\"held\": false"), std::string::npos) << lock.out;
}

// A gate that takes several seconds even on a healthy release, so a signal lands inside it.
const char* const kSlowGate =
    "gate: { window: 30s, interval: 250ms, consecutive: 12, timeout: 2s }";

TEST(FaultScenario, SigtermDuringTheGateIsAnInterruptedDeployNotASuccess) {
  Scenario s(2);
  s.write("golive.yml", runbook(s, "", "", "", kSlowGate));
  s.commit("slow gate");
  std::string v1 = deploy_ok(s);
  s.write("NOTE", "v2\n");
  s.commit("v2");
  pid_t pid = s.start_golive({"deploy", "staging", "--json"});
  ASSERT_TRUE(wait_all_switched_from(s, v1));
  std::this_thread::sleep_for(std::chrono::milliseconds(800));  // inside the 3 s gate
  ::kill(pid, SIGTERM);
  GoliveRun run = s.wait_golive(pid);
  EXPECT_EQ(run.exit_code, 1) << run.all();
  EXPECT_NE(run.all().find("interrupted by SIGTERM during the gate"), std::string::npos)
      << run.all();
  EXPECT_EQ(run.all().find("succeeded (exit 0)"), std::string::npos) << run.all();
  expect_all_serve(s, v1);
  std::string v2 = release_of(run);
  EXPECT_EQ(status_in_history(s, v2), "interrupted");
  expect_lock_free(s);
}

TEST(FaultScenario, SighupAfterTheSwitchRollsBackReleasesTheLockAndRecordsIt) {
  Scenario s(3);
  std::string v1 = deploy_ok(s);
  const std::string marker = unique_sleep(s);
  s.write(
      "golive.yml",
      runbook(s, steps_block("", "  - { name: warm caches, run: \"" + marker + "\" }\n"), "", ""));
  s.commit("v2: slow step after switch");
  pid_t pid = s.start_golive({"deploy", "staging", "--json"});
  ASSERT_TRUE(wait_all_switched_from(s, v1));
  ::kill(pid, SIGHUP);  // the operator's terminal closed
  GoliveRun run = s.wait_golive(pid);
  EXPECT_EQ(run.exit_code, 1) << run.all();
  EXPECT_NE(run.all().find("SIGHUP"), std::string::npos) << run.all();
  expect_all_serve(s, v1);
  std::string v2 = release_of(run);
  EXPECT_EQ(status_in_history(s, v2), "interrupted");
  expect_lock_free(s);
  // The step's remote process group went with it.
  int code = 0;
  std::string left =
      Scenario::sh("pgrep -f " + shell_quote("^" + marker + "$") + " -a || true", &code);
  EXPECT_EQ(left, "");
}

TEST(FaultScenario, SigintBeforeAnyHostChangedTouchesNothing) {
  Scenario s(2);
  std::string v1 = deploy_ok(s);
  // A slow build: the signal arrives while golive builds locally.
  Scenario::sh("sed -i 's/^set -eu$/set -eu; sleep 3/' " + s.repo() + "/bin/build");
  s.commit("slow build");
  pid_t pid = s.start_golive({"deploy", "staging", "--json"});
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  ::kill(pid, SIGINT);
  GoliveRun run = s.wait_golive(pid);
  EXPECT_EQ(run.exit_code, 3) << run.all();
  EXPECT_NE(run.all().find("SIGINT"), std::string::npos) << run.all();
  expect_all_serve(s, v1);
  for (int k = 1; k <= s.hosts(); ++k) EXPECT_EQ(s.releases(k).size(), 1u) << "web" << k;
  expect_lock_free(s);
}

TEST(FaultScenario, DeployBudgetEndsASlowStepAndRollsBack) {
  Scenario s(2);
  std::string v1 = deploy_ok(s);
  // The budget leaves room for build, connect and upload on a loaded CI box (the step after the
  // switch is what must be cut short); the step would outlast it many times over.
  s.write("golive.yml", runbook(s, steps_block("", "  - { name: slow, run: \"sleep 300\" }\n"), "",
                                "", kShortGate, "budget: { rollback: 1m, deploy: 20s }"));
  s.commit("v2: a step slower than the deploy budget");
  auto t0 = SteadyClock::now();
  GoliveRun run = s.golive({"deploy", "staging", "--json"});
  auto took = SteadyClock::now() - t0;
  EXPECT_EQ(run.exit_code, 1) << run.all();
  EXPECT_NE(run.all().find("exceeded its budget of 20s (budget.deploy)"), std::string::npos)
      << run.all();
  EXPECT_LT(took, std::chrono::seconds(120));
  expect_all_serve(s, v1);
}

TEST(FaultScenario, AFrozenHostIsNamedWithinTheAliveTimeout) {
  Scenario s(2);
  std::string v1 = deploy_ok(s);
  // Before the switch, web2's step reports its own sshd process and then waits.
  s.write(
      "golive.yml",
      runbook(s,
              steps_block(std::string("  - { name: report, run: \"") + testing::kSshdPidCommand +
                              " > ../../shared/sshd.pid; sleep 20\", timeout: 60s }\n",
                          ""),
              "", ""));
  s.commit("v2: a step that waits");
  pid_t pid = s.start_golive({"deploy", "staging", "--json"}, {{"GOLIVE_SSH_ALIVE_TIMEOUT", "3s"}});
  const std::string pidfile = s.root(2) + "/shared/sshd.pid";
  ASSERT_TRUE(Scenario::wait_until(
      [&] {
        std::ifstream in(pidfile);
        std::string p;
        return static_cast<bool>(in >> p) && !p.empty();
      },
      std::chrono::seconds(30)));
  std::string sshd_child;
  std::ifstream(pidfile) >> sshd_child;
  auto t0 = SteadyClock::now();
  Scenario::sh("kill -STOP " + sshd_child);
  GoliveRun run = s.wait_golive(pid);
  auto took = SteadyClock::now() - t0;
  Scenario::sh("kill -CONT " + sshd_child + "; kill -TERM " + sshd_child + " 2>/dev/null; true");
  EXPECT_NE(run.exit_code, 0) << run.all();
  EXPECT_NE(run.all().find("web2"), std::string::npos) << run.all();
  EXPECT_NE(run.all().find("stopped answering"), std::string::npos) << run.all();
  EXPECT_LT(took, std::chrono::seconds(25)) << run.all();
  // Nobody switched: every host still serves v1.
  for (int k = 1; k <= s.hosts(); ++k) EXPECT_EQ(s.current(k), v1) << "web" << k;
}

}  // namespace
}  // namespace golive::testing

namespace golive::testing {
namespace {

// Issue 20 item 7: 200 MB of output without a newline once took 1 GB of memory and a minute.
TEST(FaultScenario, OutputWithoutNewlinesStaysBoundedInMemory) {
  Scenario s(1);
  s.write("golive.yml",
          runbook(s,
                  steps_block("  - { name: noisy, run: \"head -c 100000000 /dev/zero | tr "
                              "'\\\\000' x\", timeout: 120s }\n",
                              ""),
                  "", ""));
  s.commit("a step printing 100 MB without a newline");
  GoliveRun run = s.golive({"deploy", "staging", "--json"});
  EXPECT_EQ(run.exit_code, 0) << run.all().substr(0, 2000);
  rusage usage{};
  ::getrusage(RUSAGE_CHILDREN, &usage);  // the largest child waited for so far: golive
#ifndef __SANITIZE_ADDRESS__  // AddressSanitizer's quarantine and shadow memory are not golive's
  EXPECT_LT(usage.ru_maxrss, 200 * 1024) << "peak RSS in KiB";
#endif
  std::printf("[ memory ] 100 MB of output without newlines: peak RSS of golive <= %ld KiB\n",
              usage.ru_maxrss);
}

}  // namespace
}  // namespace golive::testing

namespace golive::testing {
namespace {

// Issue 20 item 11: a deploy killed with SIGKILL leaves its clean export behind; the next deploy
// removes exports whose owner is gone and keeps those of live processes.
TEST(FaultScenario, TheNextDeployRemovesBuildExportsOfDeadDeploys) {
  Scenario s(1);
  const std::string dead = "/tmp/golive-build-4194300-test" + std::to_string(::getpid());
  const std::string alive = "/tmp/golive-build-" + std::to_string(::getpid()) + "-test";
  std::filesystem::create_directories(dead + "/dist");
  std::filesystem::create_directories(alive);
  deploy_ok(s);
  EXPECT_FALSE(std::filesystem::exists(dead));
  EXPECT_TRUE(std::filesystem::exists(alive));
  std::filesystem::remove_all(alive);
}

// Issue 20 item 9: web2's SSH session drops (its sshd child killed) after the switch while the
// gate fails. The rollback opens a new session, says so, restores and verifies v1: exit 1, not
// "a human must act".
TEST(FaultScenario, RollbackReconnectsToAHostWhoseSessionDroppedAfterTheSwitch) {
  Scenario s(2);
  std::string v1 = deploy_ok(s);
  // After the switch and restart, each host's step reports the sshd process of its session.
  s.write("golive.yml", runbook(s,
                                steps_block("", std::string("  - { name: report, run: \"") +
                                                    testing::kSshdPidCommand + " > sshd.pid\" }\n"),
                                "", ""));
  s.set_break({"login"});
  s.commit("v2: login broken");
  pid_t pid = s.start_golive({"deploy", "staging", "--json"});
  const std::string pidfile = s.root(2) + "/current/sshd.pid";
  std::string sshd_child;
  bool reported = Scenario::wait_until(
      [&] {
        std::ifstream in(pidfile);
        return static_cast<bool>(in >> sshd_child) && !sshd_child.empty();
      },
      std::chrono::seconds(60));
  // The step has finished (its exit status reached golive): the gate is running.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  if (reported) Scenario::sh("kill -9 " + sshd_child);
  GoliveRun run = s.wait_golive(pid);
  ASSERT_TRUE(reported) << run.all();
  EXPECT_EQ(run.exit_code, 1) << run.all();
  EXPECT_NE(run.all().find("gate failed"), std::string::npos) << run.all();
  EXPECT_NE(run.all().find("web2: connection lost; reconnecting (attempt 1/2)"), std::string::npos)
      << run.all();
  EXPECT_NE(run.all().find("web2: reconnected"), std::string::npos) << run.all();
  EXPECT_NE(run.all().find("restored " + v1), std::string::npos) << run.all();
  expect_all_serve(s, v1);
  expect_lock_free(s);
}

}  // namespace
}  // namespace golive::testing
