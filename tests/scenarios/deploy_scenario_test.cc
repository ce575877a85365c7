// Deploys through the real binary onto the sandbox fleet (real sshd, real app).
#include <gtest/gtest.h>

#include "tests/harness/scenario.h"

namespace golive::testing {
namespace {

TEST(DeployScenario, ShipsToThreeHostsAndSwitchesCurrentEverywhere) {
  Scenario s(3);
  GoliveRun run = s.golive({"deploy", "staging", "--reason", "first"});
  ASSERT_EQ(run.exit_code, 0) << run.all();
  std::string id = s.current(1);
  ASSERT_FALSE(id.empty());
  for (int k = 1; k <= 3; ++k) {
    EXPECT_EQ(s.current(k), id) << "web" << k;
    EXPECT_NE(s.http_get("http://" + s.address(k) + ":" + std::to_string(s.app_port()) + "/healthz")
                  .find("ok " + id),
              std::string::npos);
  }
  GoliveRun releases = s.golive({"releases", "staging"});
  EXPECT_EQ(releases.exit_code, 0) << releases.all();
  EXPECT_NE(releases.out.find("current " + id), std::string::npos) << releases.out;
}

}  // namespace
}  // namespace golive::testing
