// Issue 13: how a strategy becomes stages — the canary batch, the batches after it, and what
// each batch's gate checks.
#include <gtest/gtest.h>

#include "orchestrator/release/plan.h"

namespace golive {
namespace {

using Batches = std::vector<std::vector<std::size_t>>;

TEST(RolloutPlan, CanaryCountIsTheFirstBatchThenBatchesOfTheRest) {
  Strategy s;
  s.canary = 1;
  s.batch_size = 2;
  EXPECT_EQ(make_batches(4, s), (Batches{{0}, {1, 2}, {3}}));
  s.batch_size = 0;  // batch: 100% -> everything after the canary at once
  EXPECT_EQ(make_batches(4, s), (Batches{{0}, {1, 2, 3}}));
}

TEST(RolloutPlan, CanaryPercentRoundsUpAndBatchPercentIsOfTheWholeFleet) {
  Strategy s;
  s.canary_percent = 10;  // of 12 hosts: 2
  s.batch_percent = 25;   // of 12 hosts: 3
  EXPECT_EQ(make_batches(12, s), (Batches{{0, 1}, {2, 3, 4}, {5, 6, 7}, {8, 9, 10}, {11}}));
}

TEST(RolloutPlan, CanaryLargerThanTheFleetIsTheWholeFleet) {
  Strategy s;
  s.canary = 5;
  EXPECT_EQ(make_batches(3, s), (Batches{{0, 1, 2}}));
}

TEST(RolloutPlan, WithoutCanaryBatchesAreUnchanged) {
  Strategy s;
  s.batch_size = 2;
  EXPECT_EQ(make_batches(5, s), (Batches{{0, 1}, {2, 3}, {4}}));
}

TEST(RolloutPlan, BatchGateHasItsHostsChecksAndHostlessOnesAndTheCanaryWindow) {
  Plan plan;
  for (const char* name : {"web1", "web2", "web3"}) {
    HostPlan hp;
    hp.host.name = name;
    plan.hosts.push_back(hp);
  }
  plan.strategy.canary = 1;
  plan.strategy.canary_window = std::chrono::minutes(5);
  plan.gate.window = std::chrono::seconds(30);
  plan.batches = make_batches(3, plan.strategy);
  for (const char* host : {"", "web1", "web2", "web3"}) {
    RenderedCheck c;
    c.name = host[0] ? "login" : "error rate";
    c.host = host;
    plan.checks.push_back(c);
  }
  auto first = checks_for_batch(plan, 0);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].name, "error rate");
  EXPECT_EQ(first[1].host, "web1");
  EXPECT_EQ(checks_for_batch(plan, 1).size(), 3u);
  EXPECT_EQ(gate_window_for_batch(plan, 0), std::chrono::minutes(5));
  EXPECT_EQ(gate_window_for_batch(plan, 1), std::chrono::seconds(30));
  EXPECT_EQ(batch_label(plan, 0), "batch 1/2 (canary): web1");
  EXPECT_EQ(batch_label(plan, 1), "batch 2/2: web2 web3");
  EXPECT_TRUE(gates_each_batch(plan));
  plan.strategy.gate_each_batch = false;
  EXPECT_TRUE(gates_each_batch(plan));  // a canary is always gated alone
  plan.strategy.canary = 0;
  EXPECT_FALSE(gates_each_batch(plan));
}

}  // namespace
}  // namespace golive
