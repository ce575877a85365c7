// command checks: the check's logic over fakes of the host and local-process boundaries (the
// ssh and Boost.Process adapters are tested against the real things by their own tests).
#include <gtest/gtest.h>

#include "golive/gate.h"
#include "tests/harness/check_fakes.h"

namespace golive {
namespace {

using testing::FakeLocalProcess;
using testing::FakeRemoteHost;
using testing::rendered;

class CommandCheckTest : public ::testing::Test {
 protected:
  CheckAttempt run(CommandCheck spec, const std::string& host = "web1") {
    return runner->attempt(rendered("cmd", spec, host));
  }
  FakeRemoteHost web1{"web1"};
  FakeLocalProcess local;
  std::unique_ptr<CheckRunner> runner = make_check_runner({{"web1", &web1}}, local);
};

TEST_F(CommandCheckTest, RunsOnTheHostAndPasses) {
  web1.result.exit_status = 0;
  web1.result.output = "ok 20261129T101500Z-3f2a9c1\n";
  web1.result.duration = Millis(12);
  CommandCheck spec;
  spec.run = "curl -fsS localhost:8080/healthz";
  spec.output_regex = "^ok \\d{8}T";
  auto a = run(spec);
  EXPECT_TRUE(a.passed) << a.reason;
  EXPECT_EQ(a.latency, Millis(12));
  ASSERT_EQ(web1.requests.size(), 1u);
  EXPECT_EQ(web1.requests[0].command, spec.run);
  EXPECT_EQ(web1.requests[0].timeout, std::chrono::seconds(3));  // the attempt's timeout
}

TEST_F(CommandCheckTest, WrongExitStatusFails) {
  web1.result.exit_status = 7;
  web1.result.output = "connection refused\n";
  CommandCheck spec;
  spec.run = "check-app";
  auto a = run(spec);
  EXPECT_FALSE(a.passed);
  EXPECT_FALSE(a.transport_error);
  EXPECT_EQ(a.reason,
            "command on web1 'check-app': expected exit 0, got 7, output 'connection "
            "refused\\n'");
}

TEST_F(CommandCheckTest, OutputMustMatch) {
  web1.result.exit_status = 0;
  web1.result.output = "degraded";
  CommandCheck spec;
  spec.run = "status";
  spec.output_regex = "^healthy$";
  EXPECT_EQ(run(spec).reason,
            "command on web1 'status': expected output to match /^healthy$/, got 'degraded'");
  spec.output_regex = "([";
  EXPECT_NE(run(spec).reason.find("output_regex: invalid regex /([/"), std::string::npos);
}

TEST_F(CommandCheckTest, LostConnectionAndTimeoutAreTransportErrors) {
  web1.error = "ssh: connection to web1 dropped";
  CommandCheck spec;
  spec.run = "true";
  auto a = run(spec);
  EXPECT_TRUE(a.transport_error);
  EXPECT_EQ(a.reason, "command on web1 'true': ssh: connection to web1 dropped");

  web1.error.clear();
  web1.result.timed_out = true;
  a = run(spec);
  EXPECT_TRUE(a.transport_error);
  EXPECT_EQ(a.reason, "command on web1 'true': timed out after 3000ms");

  a = run(spec, "web9");
  EXPECT_TRUE(a.transport_error);
  EXPECT_EQ(a.reason, "command on web9 'true': no connection to host web9");
}

TEST_F(CommandCheckTest, LocalCommandsRunLocally) {
  local.result.exit_status = 3;
  CommandCheck spec;
  spec.run = "./bin/probe";
  spec.local = true;
  spec.exit = 3;
  auto a = run(spec);
  EXPECT_TRUE(a.passed) << a.reason;
  ASSERT_EQ(local.requests.size(), 1u);
  EXPECT_EQ(local.requests[0].command, "./bin/probe");
  EXPECT_TRUE(web1.requests.empty());
}

TEST_F(CommandCheckTest, RemoteCommandNeedsAHost) {
  CommandCheck spec;
  spec.run = "true";
  EXPECT_EQ(run(spec, "").reason,
            "command on ? 'true': a remote command check needs a host (or local: true)");
}

}  // namespace
}  // namespace golive
