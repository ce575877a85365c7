// run_rollback through fakes: the order a host is restored in, the budget (a rollback never runs
// past failure time + budget.rollback), and hosts restored independently of each other.
#include "orchestrator/release/rollback.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "orchestrator/context/app_context.h"
#include "orchestrator/release/target.h"
#include "tests/orchestrator/release/fakes.h"

namespace golive {
namespace {

using namespace std::chrono_literals;
using testing::FakeConnector;
using testing::FleetScript;

PlannedStep step(const std::string& name, const std::string& command) {
  PlannedStep s;
  s.name = name;
  s.kind = StepKind::kRun;
  s.command = command;
  s.timeout = Millis(10'000);
  return s;
}

// Hosts web1..webN that switched to release r2 and are rolled back to r1; each undoes `undo`
// (already newest first) and runs the runbook's rollback steps `rollback`.
class RollbackTest : public ::testing::Test {
 protected:
  void SetUpFleet(int n, const std::vector<PlannedStep>& undo,
                  const std::vector<PlannedStep>& rollback) {
    ReporterOptions quiet;
    quiet.quiet = true;
    app_.reporter = std::make_unique<Reporter>(app_.redactor, quiet);
    FakeConnector connector(script_);
    for (int i = 1; i <= n; ++i) {
      HostPlan hp;
      hp.host.name = "web" + std::to_string(i);
      hp.host.address = "127.0.0.1";
      hp.root = "/srv/portal";
      hp.release_dir = "/srv/portal/releases/20261201T100000Z-r2";
      hp.rollback = rollback;
      plans_.push_back(hp);
      hosts_.push_back(std::move(*connector.connect(hp.host)));
    }
    request_.leaving = "20261201T100000Z-r2";
    for (int i = 0; i < n; ++i) {
      HostRollback h;
      h.remote = hosts_[i].get();
      h.plan = &plans_[i];
      h.switched = true;
      h.restore_to = "20261130T090000Z-r1";
      h.serving = request_.leaving;
      for (const auto& u : undo) {
        PlannedStep s = u;
        s.undo = u.command;
        h.undo.push_back(s);
      }
      request_.hosts.push_back(h);
    }
  }

  RollbackResult Run(std::chrono::milliseconds budget) {
    request_.deadline = std::chrono::steady_clock::now() + budget;
    auto t0 = std::chrono::steady_clock::now();
    RollbackResult r = run_rollback(request_, *app_.reporter, ExecutionObserver{});
    took_ = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - t0);
    return r;
  }

  // Position of the first event on `host` whose command contains `text`, or -1.
  int At(const std::string& host, const std::string& text) const {
    auto events = script_.timeline.events();
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (events[i].starts_with(host + " start ") && events[i].find(text) != std::string::npos) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  FleetScript script_;
  AppContext app_;
  std::vector<HostPlan> plans_;
  std::vector<std::unique_ptr<RemoteHost>> hosts_;
  RollbackRequest request_;
  Millis took_{0};
};

TEST_F(RollbackTest, SwitchesBackFirstThenUndoesNewestFirstThenRunsRollbackStepsThenMarksBad) {
  SetUpFleet(2, {step("seed", "undo-seed"), step("migrate", "undo-migrate")},
             {step("restart", "restart-app")});
  RollbackResult r = Run(60s);
  ASSERT_TRUE(r.ok) << r.failure;
  EXPECT_FALSE(r.over_budget);
  for (const std::string host : {"web1", "web2"}) {
    const int switched = At(host, "current");
    ASSERT_GE(switched, 0) << host;
    EXPECT_LT(switched, At(host, "undo-seed")) << host;
    EXPECT_LT(At(host, "undo-seed"), At(host, "undo-migrate")) << host;
    EXPECT_LT(At(host, "undo-migrate"), At(host, "restart-app")) << host;
    EXPECT_LT(At(host, "restart-app"), At(host, ".golive/bad")) << host;
  }
}

TEST_F(RollbackTest, ABudgetAlreadySpentStartsNoCommandAndSaysSo) {
  SetUpFleet(1, {step("migrate", "undo-migrate")}, {step("restart", "restart-app")});
  RollbackResult r = Run(-1ms);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.over_budget);
  EXPECT_NE(r.failure.find("web1: rollback step 'undo migrate'"), std::string::npos) << r.failure;
  EXPECT_NE(r.failure.find("rollback budget is exhausted"), std::string::npos) << r.failure;
  // Customers get the good release back even then: `current` is one atomic rename.
  EXPECT_GE(At("web1", "current"), 0);
  EXPECT_EQ(At("web1", "undo-migrate"), -1);
  EXPECT_EQ(At("web1", "restart-app"), -1);
}

TEST_F(RollbackTest, AStepThatOutlivesTheBudgetIsKilledAtTheDeadline) {
  SetUpFleet(2, {}, {step("restart", "restart-app")});
  script_.runs_for["restart-app"] = 20s;
  // 2 s, not less: the steps must start before the deadline even on a loaded or ASan-slowed box.
  RollbackResult r = Run(2s);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.over_budget);
  EXPECT_NE(r.failure.find("exceeded the rollback budget"), std::string::npos) << r.failure;
  EXPECT_GE(script_.timeline.index_of("web1 timed out restart-app"), 0);
  EXPECT_GE(script_.timeline.index_of("web2 timed out restart-app"), 0);
  EXPECT_LT(took_, 10s);  // ended at the deadline, not when the command would have
}

TEST_F(RollbackTest, AFailureOnOneHostDoesNotStopTheOthersRestore) {
  SetUpFleet(3, {}, {step("restart", "restart-app")});
  script_.exit_status["web2"]["restart-app"] = 1;
  RollbackResult r = Run(60s);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.over_budget);
  EXPECT_NE(r.failure.find("web2: rollback step 'restart' exited with status 1"), std::string::npos)
      << r.failure;
  EXPECT_GE(At("web1", ".golive/bad"), 0);
  EXPECT_GE(At("web3", ".golive/bad"), 0);
  EXPECT_EQ(At("web2", ".golive/bad"), -1);  // stops at its first failed step
}

}  // namespace
}  // namespace golive
