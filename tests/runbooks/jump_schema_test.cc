// The `jump` keys (issue 16, bastion hosts): an environment's bastion, a host's own, `none`.
#include <gtest/gtest.h>

#include "golive/runbook_loader.h"
#include "tests/runbooks/runbook_test_support.h"

namespace golive {
namespace {

using testing_support::HasError;
using testing_support::LoadsCleanly;

LoadResult load(const std::string& environment_lines) {
  return load_runbook_text(R"(version: 1
app: portal
environments:
  production:
)" + environment_lines + R"(release: { path: /srv/portal }
steps:
  - { name: switch, switch: current }
)",
                           "golive.yml");
}

TEST(JumpSchema, EnvironmentJumpReachesHostsWithoutTheirOwn) {
  const auto r = load(R"(    jump: ops@bastion.example.com:2222
    hosts:
      - { name: web1, address: 10.0.0.1 }
      - { name: web2, address: 10.0.0.2, jump: other-bastion }
      - { name: web3, address: 10.0.0.3, jump: none }
)");
  ASSERT_TRUE(LoadsCleanly(r));
  const auto& env = r.runbook->environments[0];
  EXPECT_EQ(env.jump, "ops@bastion.example.com:2222");
  EXPECT_EQ(env.hosts[0].jump, "ops@bastion.example.com:2222");
  EXPECT_EQ(env.hosts[1].jump, "other-bastion");
  EXPECT_EQ(env.hosts[2].jump, "none");
}

TEST(JumpSchema, NoJumpLeavesItToTheSshConfig) {
  const auto r = load("    hosts: [ { name: web1, address: 10.0.0.1 } ]\n");
  ASSERT_TRUE(LoadsCleanly(r));
  EXPECT_EQ(r.runbook->environments[0].hosts[0].jump, "");
}

TEST(JumpSchema, MalformedEnvironmentJumpIsAnErrorAtItsValue) {
  const auto r = load(R"(    jump: "ops@bastion:22x"
    hosts: [ { name: web1, address: 10.0.0.1 } ]
)");
  EXPECT_TRUE(HasError(r, 5, 11, "environments.production.jump",
                       "port `22x` must be a number from 1 to 65535"));
  EXPECT_FALSE(r.runbook);
}

TEST(JumpSchema, MalformedHostJumpIsAnErrorAtItsValue) {
  const auto r = load(R"(    hosts:
      - { name: web1, address: 10.0.0.1, jump: "b1,b2" }
)");
  EXPECT_TRUE(HasError(r, 6, 48, "environments.production.hosts[0].jump", "one bastion"));
  EXPECT_FALSE(r.runbook);
}

TEST(JumpSchema, MisspelledJumpKeySuggestsIt) {
  const auto r = load(R"(    jmup: bastion
    hosts: [ { name: web1, address: 10.0.0.1 } ]
)");
  EXPECT_TRUE(HasError(r, 5, 5, "environments.production.jmup", "did you mean `jump`?"));
}

}  // namespace
}  // namespace golive
