// Deploys through a jump host with the real binary (issue 16, bastion hosts): a two-hop loopback
// fleet whose hosts refuse golive's direct logins and accept the bastion's forwarded ones.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "golive/shell_quote.h"
#include "tests/harness/scenario.h"

namespace golive::testing {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A scenario on the two-hop fleet whose staging environment goes through its bastion.
struct JumpScenario : ::testing::Test {
  Scenario s{3, SandboxFleet::shared_behind_bastion(3)};
  void SetUp() override {
    s.edit_runbook({{"    env_file: .env.staging\n",
                     "    env_file: .env.staging\n    jump: " + s.fleet().bastion() + "\n"}});
    s.commit("through the bastion");
  }
  std::string healthz(int k) {
    return s.http_get("http://" + s.address(k) + ":" + std::to_string(s.app_port()) + "/healthz");
  }
  std::string bastion_fingerprint() {
    const std::string listed =
        Scenario::sh("ssh-keygen -lf " + shell_quote(s.fleet().dir()) + "/bastion_ed25519_key.pub");
    const auto at = listed.find("SHA256:");
    return listed.substr(at, listed.find(' ', at) - at);
  }
  // The fleet's known_hosts without the bastion's line.
  std::string known_hosts_without_bastion() {
    std::string out;
    std::istringstream in(Scenario::read_file(s.fleet().known_hosts()));
    for (std::string line; std::getline(in, line);) {
      if (!contains(line, "[127.0.0.200]")) out += line + "\n";
    }
    return out;
  }
};

TEST_F(JumpScenario, DeploysToEveryHostThroughTheBastion) {
  GoliveRun plan = s.golive({"plan", "staging"});
  ASSERT_EQ(plan.exit_code, 0) << plan.all();
  EXPECT_TRUE(contains(plan.out, "web2 (127.0.0.202 via " + s.fleet().bastion() + ")")) << plan.out;

  GoliveRun deploy = s.golive({"deploy", "staging"});
  ASSERT_EQ(deploy.exit_code, 0) << deploy.all();
  const std::string id = Scenario::release_id_of(deploy);
  for (int k = 1; k <= 3; ++k) {
    EXPECT_EQ(s.current(k), id) << "web" << k;
    EXPECT_EQ(healthz(k).substr(0, 3 + id.size()), "ok " + id) << "web" << k;
  }
}

TEST_F(JumpScenario, DeploysThroughTheSshConfigsProxyJump) {
  s.edit_runbook({{"    jump: " + s.fleet().bastion() + "\n", ""}});
  s.commit("the ssh config says how");
  const std::string config = s.dir() + "/ssh_config.proxyjump";
  std::ofstream(config) << "Host 127.0.0.201 127.0.0.202 127.0.0.203\n  ProxyJump 127.0.0.200\n"
                        << Scenario::read_file(s.fleet().ssh_config());
  GoliveRun trust =
      s.golive({"hosts", "trust", "staging", "--yes"}, {{"GOLIVE_SSH_CONFIG", config}});
  EXPECT_EQ(trust.exit_code, 0) << trust.all();
  EXPECT_TRUE(contains(trust.all(), "jump host 127.0.0.200 (127.0.0.200:")) << trust.all();
  GoliveRun deploy = s.golive({"deploy", "staging"}, {{"GOLIVE_SSH_CONFIG", config}});
  ASSERT_EQ(deploy.exit_code, 0) << deploy.all();
  const std::string id = Scenario::release_id_of(deploy);
  for (int k = 1; k <= 3; ++k) EXPECT_EQ(s.current(k), id) << "web" << k;
}

TEST_F(JumpScenario, WithoutTheJumpTheHostsCannotBeReached) {
  s.edit_runbook({{"    jump: " + s.fleet().bastion() + "\n", ""}});
  s.commit("direct");
  GoliveRun deploy = s.golive({"deploy", "staging"});
  EXPECT_EQ(deploy.exit_code, 5) << deploy.all();
  EXPECT_TRUE(contains(deploy.all(), "authentication refused for web1")) << deploy.all();
  for (int k = 1; k <= 3; ++k) EXPECT_FALSE(s.touched(k)) << "web" << k;
}

TEST_F(JumpScenario, UnknownBastionKeyIsRefusedUntilTrusted) {
  const std::string config = s.ssh_config_with_known_hosts(known_hosts_without_bastion());
  const std::string fp = bastion_fingerprint();
  GoliveRun refused = s.golive({"deploy", "staging"}, {{"GOLIVE_SSH_CONFIG", config}});
  EXPECT_EQ(refused.exit_code, 3) << refused.all();
  EXPECT_TRUE(contains(refused.all(), "unknown host key for jump host 127.0.0.200"))
      << refused.all();
  EXPECT_TRUE(contains(refused.all(), fp)) << refused.all();
  // Said once for the hosts behind it, not once per host.
  const std::string all = refused.all();
  const auto first = all.find("unknown host key for jump host");
  EXPECT_EQ(all.find("unknown host key for jump host", first + 1), std::string::npos) << all;
  EXPECT_TRUE(contains(all, "(web1, web2, web3)")) << all;
  EXPECT_TRUE(contains(refused.all(), "golive hosts trust")) << refused.all();
  for (int k = 1; k <= 3; ++k) EXPECT_FALSE(s.touched(k)) << "web" << k;

  // `golive hosts trust` shows the bastion first and learns its key like any host's.
  GoliveRun blind =
      s.golive({"hosts", "trust", "staging", "--yes"}, {{"GOLIVE_SSH_CONFIG", config}});
  EXPECT_EQ(blind.exit_code, 3) << blind.all();
  EXPECT_TRUE(contains(blind.all(), "--fingerprint " + fp)) << blind.all();
  GoliveRun trust = s.golive({"hosts", "trust", "staging", "--yes", "--fingerprint", fp},
                             {{"GOLIVE_SSH_CONFIG", config}});
  ASSERT_EQ(trust.exit_code, 0) << trust.all();
  EXPECT_TRUE(contains(trust.all(), "jump host 127.0.0.200: trusted")) << trust.all();
  EXPECT_TRUE(contains(trust.all(), "web3 (127.0.0.203:")) << trust.all();

  GoliveRun deploy = s.golive({"deploy", "staging"}, {{"GOLIVE_SSH_CONFIG", config}});
  EXPECT_EQ(deploy.exit_code, 0) << deploy.all();
}

}  // namespace
}  // namespace golive::testing
