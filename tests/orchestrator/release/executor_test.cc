// execute_plan through fakes: batches, the parallel cap, max_fail, `once` barriers and cancel,
// with hosts connected through AppContext's connector (tests/orchestrator/release/fakes.h).
#include "orchestrator/release/executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "orchestrator/context/app_context.h"
#include "orchestrator/release/target.h"
#include "tests/orchestrator/release/fakes.h"

namespace golive {
namespace {

using testing::FakeConnector;
using testing::FleetScript;

PlannedStep run(const std::string& command, bool once = false) {
  PlannedStep s;
  s.name = command;
  s.kind = StepKind::kRun;
  s.command = command;
  s.once = once;
  s.timeout = Millis(10'000);
  return s;
}

// A fleet of `n` hosts (web1..webN) connected through AppContext's connector, each running
// `steps`, in batches of `batch_size`.
class ExecutorTest : public ::testing::Test {
 protected:
  void SetUpFleet(int n, const std::vector<PlannedStep>& steps, int batch_size,
                  Strategy strategy = {}) {
    ReporterOptions quiet;
    quiet.quiet = true;
    app_.reporter = std::make_unique<Reporter>(app_.redactor, quiet);
    app_.make_connector = [this](const ConnectOptions&) {
      return std::make_unique<FakeConnector>(script_);
    };
    runbook_.app = "portal";
    Environment env;
    env.name = "production";
    for (int i = 1; i <= n; ++i) {
      Host h;
      h.name = "web" + std::to_string(i);
      h.address = "127.0.0.1";
      env.hosts.push_back(h);
    }
    runbook_.environments.push_back(env);
    plan_.app = "portal";
    plan_.environment = "production";
    plan_.release_id = "r1";
    plan_.strategy = strategy;
    for (const auto& h : env.hosts) {
      HostPlan hp;
      hp.host = h;
      hp.root = "/srv/portal";
      hp.release_dir = "/srv/portal/releases/r1";
      hp.steps = steps;
      plan_.hosts.push_back(hp);
    }
    for (int i = 0; i < n; i += batch_size) {
      std::vector<std::size_t> batch;
      for (int k = i; k < std::min(n, i + batch_size); ++k) batch.push_back(k);
      plan_.batches.push_back(batch);
    }
  }

  ExecutionResult Execute() {
    auto fleet = connect_fleet(app_, runbook_, runbook_.environments[0]);
    EXPECT_TRUE(fleet) << (fleet ? "" : fleet.error().message);
    fleet_ = std::move(*fleet);
    contexts_.resize(plan_.hosts.size());
    for (std::size_t i = 0; i < plan_.hosts.size(); ++i) {
      contexts_[i].host = fleet_.hosts[i].get();
      contexts_[i].host_plan = &plan_.hosts[i];
      contexts_[i].release_id = plan_.release_id;
      contexts_[i].cancel = &cancel_;
    }
    ExecutionObserver observer;
    observer.step_finished = [this](const StepResult&) { ++finished_; };
    return execute_plan(plan_, contexts_, observer, cancel_, gate_);
  }

  int At(const std::string& event) const { return script_.timeline.index_of(event); }

  FleetScript script_;
  AppContext app_;
  Runbook runbook_;
  Plan plan_;
  ConnectedFleet fleet_;
  std::vector<StepContext> contexts_;
  std::atomic<bool> cancel_{false};
  std::atomic<int> finished_{0};
  BatchGate gate_;
};

TEST_F(ExecutorTest, RunsEveryStepOnEveryHostInRunbookOrder) {
  SetUpFleet(3, {run("fetch"), run("restart")}, 3);
  ExecutionResult r = Execute();
  EXPECT_TRUE(r.ok) << r.failure;
  ASSERT_EQ(r.hosts.size(), 3u);
  for (const auto& h : r.hosts) {
    ASSERT_EQ(h.results.size(), 2u) << h.host;
    EXPECT_EQ(h.results[0].step, "fetch");
    EXPECT_EQ(h.results[1].step, "restart");
    EXPECT_TRUE(h.results[1].ok());
    EXPECT_LT(At(h.host + " end fetch"), At(h.host + " start restart"));
  }
  EXPECT_EQ(finished_, 6);
}

TEST_F(ExecutorTest, EachBatchIsGatedBeforeTheNextAndAFailedGateStopsTheRollout) {
  SetUpFleet(6, {run("deploy")}, 2);
  std::vector<std::size_t> gated;
  gate_ = [&](std::size_t b) -> std::string {
    gated.push_back(b);
    // Batch 1's hosts finished, batch 2's never started when its gate runs.
    EXPECT_GE(At("web" + std::to_string(2 * b + 2) + " end deploy"), 0);
    EXPECT_EQ(At("web" + std::to_string(2 * b + 3) + " start deploy"), -1);
    return b == 1 ? "gate failed (batch 2/3)" : "";
  };
  ExecutionResult r = Execute();
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.gate_failed);
  EXPECT_EQ(r.failure, "gate failed (batch 2/3)");
  EXPECT_EQ(gated, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(r.batches_run, 2u);
  EXPECT_TRUE(r.hosts[4].results.empty());  // batch 3 never started
  EXPECT_TRUE(r.hosts[5].results.empty());
}

TEST_F(ExecutorTest, ABatchStartsOnlyAfterThePreviousOneFinished) {
  SetUpFleet(4, {run("deploy")}, 2);
  ExecutionResult r = Execute();
  EXPECT_TRUE(r.ok) << r.failure;
  for (const char* first : {"web1", "web2"}) {
    for (const char* second : {"web3", "web4"}) {
      EXPECT_LT(At(std::string(first) + " end deploy"), At(std::string(second) + " start deploy"));
    }
  }
}

TEST_F(ExecutorTest, NoMoreHostsAtOnceThanStrategyParallel) {
  Strategy s;
  s.parallel = 2;
  script_.delay = std::chrono::milliseconds(30);
  SetUpFleet(6, {run("deploy")}, 6, s);
  ExecutionResult r = Execute();
  EXPECT_TRUE(r.ok) << r.failure;
  EXPECT_LE(script_.timeline.peak_concurrency(), 2);
  EXPECT_EQ(script_.timeline.peak_concurrency(), 2);  // and it does use both
}

TEST_F(ExecutorTest, AFailureBeyondMaxFailStopsTheRolloutBeforeTheNextBatch) {
  script_.exit_status["web2"]["deploy"] = 1;
  SetUpFleet(4, {run("deploy"), run("restart")}, 2);  // max_fail 0
  ExecutionResult r = Execute();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.failure.find("web2: step 'deploy'"), std::string::npos) << r.failure;
  ASSERT_EQ(r.hosts[1].results.size(), 1u);  // its later steps did not run
  EXPECT_FALSE(r.hosts[1].results[0].ok());
  EXPECT_TRUE(r.hosts[2].results.empty());  // the next batch never started
  EXPECT_TRUE(r.hosts[3].results.empty());
  EXPECT_EQ(At("web3 start deploy"), -1);
}

TEST_F(ExecutorTest, FailuresWithinMaxFailAreToleratedAndReportedPerHost) {
  script_.exit_status["web2"]["deploy"] = 1;
  Strategy s;
  s.max_fail = 1;
  SetUpFleet(4, {run("deploy")}, 2, s);
  ExecutionResult r = Execute();
  EXPECT_TRUE(r.ok) << r.failure;
  EXPECT_NE(r.failure.find("web2"), std::string::npos);  // still named
  EXPECT_FALSE(r.hosts[1].results[0].ok());
  EXPECT_TRUE(r.hosts[3].results.at(0).ok());  // the next batch ran
}

TEST_F(ExecutorTest, AOnceStepRunsOnTheFirstHostWhileTheOthersWaitAtIt) {
  script_.delay = std::chrono::milliseconds(20);
  SetUpFleet(3, {run("fetch"), run("migrate", /*once=*/true), run("restart")}, 3);
  ExecutionResult r = Execute();
  EXPECT_TRUE(r.ok) << r.failure;
  EXPECT_NE(At("web1 start migrate"), -1);
  EXPECT_EQ(At("web2 start migrate"), -1);
  EXPECT_EQ(At("web3 start migrate"), -1);
  for (const char* host : {"web2", "web3"}) {
    EXPECT_LT(At("web1 end migrate"), At(std::string(host) + " start restart")) << host;
  }
  EXPECT_EQ(r.hosts[1].results[1].outcome, StepOutcome::kSkipped);
  EXPECT_EQ(r.hosts[1].results[1].output, "once: ran on web1");
}

TEST_F(ExecutorTest, AFailedOnceStepBlocksItOnEveryOtherHost) {
  script_.exit_status["web1"]["migrate"] = 1;
  Strategy s;
  s.max_fail = 5;  // even when failures are tolerated, nobody goes past a failed migration
  SetUpFleet(3, {run("migrate", /*once=*/true), run("restart")}, 3, s);
  ExecutionResult r = Execute();
  EXPECT_EQ(At("web2 start restart"), -1);
  EXPECT_EQ(At("web3 start restart"), -1);
  ASSERT_EQ(r.hosts[2].results.size(), 1u);
  EXPECT_EQ(r.hosts[2].results[0].error, "not run: its `once` step failed on web1");
  EXPECT_NE(r.failure.find("web1: step 'migrate'"), std::string::npos) << r.failure;
}

TEST_F(ExecutorTest, ACancelledDeployStartsNothing) {
  SetUpFleet(2, {run("deploy")}, 1);
  cancel_ = true;
  ExecutionResult r = Execute();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failure, "interrupted by a signal");
  EXPECT_TRUE(script_.timeline.events().empty());
}

// A deploy interrupted mid-batch (SIGTERM sets the cancel flag): running commands are killed at
// once, and no later batch starts.
TEST_F(ExecutorTest, ASignalMidBatchKillsRunningCommandsAndStartsNoLaterBatch) {
  SetUpFleet(4, {run("serve")}, 2);
  script_.runs_for["serve"] = std::chrono::seconds(20);
  std::thread signal([this] {
    while (At("web2 start serve") < 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    cancel_ = true;
  });
  auto t0 = std::chrono::steady_clock::now();
  ExecutionResult r = Execute();
  signal.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_FALSE(r.ok);
  // The deploy reports the signal itself (deploy.cc); the executor names the first killed step.
  EXPECT_NE(r.failure.find("step 'serve' cancelled"), std::string::npos) << r.failure;
  EXPECT_GE(At("web1 cancelled serve"), 0);
  EXPECT_GE(At("web2 cancelled serve"), 0);
  EXPECT_EQ(At("web3 start serve"), -1);
  EXPECT_EQ(At("web4 start serve"), -1);
  ASSERT_EQ(r.hosts[0].results.size(), 1u);
  EXPECT_EQ(r.hosts[0].results[0].outcome, StepOutcome::kCancelled);
  EXPECT_FALSE(r.any_switched());
}

TEST_F(ExecutorTest, AnUnreachableHostIsNamedBeforeAnythingRuns) {
  SetUpFleet(3, {run("deploy")}, 3);
  script_.unreachable["web2"] = "connection refused";
  auto fleet = connect_fleet(app_, runbook_, runbook_.environments[0]);
  ASSERT_FALSE(fleet);
  EXPECT_EQ(fleet.error().exit, ExitCode::kInfra);
  EXPECT_NE(fleet.error().message.find("web2"), std::string::npos);
  EXPECT_TRUE(script_.timeline.events().empty());
}

}  // namespace
}  // namespace golive
