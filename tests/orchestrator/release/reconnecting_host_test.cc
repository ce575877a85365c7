#include "orchestrator/release/reconnecting_host.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "golive/redactor.h"

namespace golive {
namespace {

// A session whose transport drops after `ok_calls` commands (then every command fails).
class DroppingHost final : public RemoteHost {
 public:
  DroppingHost(std::string name, int ok_calls, int* runs)
      : name_(std::move(name)), ok_calls_(ok_calls), runs_(runs) {}
  const std::string& name() const override { return name_; }
  Result<ExecResult> exec(const ExecRequest&) override {
    if (ok_calls_-- <= 0) return fail("connection to " + name_ + " dropped", ExitCode::kInfra);
    ++*runs_;
    ExecResult r;
    r.exit_status = 0;
    return r;
  }
  Status write_file(const std::string&, std::string_view, int) override { return {}; }
  Result<std::string> read_file(const std::string& path) override {
    return fail("no such file " + path, ExitCode::kInfra);  // a real error: still connected
  }

 private:
  std::string name_;
  int ok_calls_;
  int* runs_;
};

// Hands out healthy sessions, or refuses `refusals` times first.
class CountingConnector final : public HostConnector {
 public:
  CountingConnector(int refusals, int* runs) : refusals_(refusals), runs_(runs) {}
  Result<std::unique_ptr<RemoteHost>> connect(const Host& host) override {
    ++connects;
    if (refusals_-- > 0) return fail("cannot reach " + host.name, ExitCode::kInfra);
    return std::unique_ptr<RemoteHost>(std::make_unique<DroppingHost>(host.name, 100, runs_));
  }
  Result<HostKeyInfo> probe_host_key(const Host&) override { return HostKeyInfo{}; }
  Status trust_host_key(const Host&, const HostKeyInfo&) override { return {}; }
  int connects = 0;

 private:
  int refusals_;
  int* runs_;
};

class ReconnectingHostTest : public ::testing::Test {
 protected:
  Redactor redactor;
  Reporter reporter{redactor, ReporterOptions{true, false, false, ""}};
  static Host web2() {
    Host h;
    h.name = "web2";
    h.address = "127.0.0.12";
    return h;
  }
  Host host = web2();
  int runs = 0;
};

TEST_F(ReconnectingHostTest, ACommandWhoseSessionDroppedRunsAgainOnANewSession) {
  auto connector = std::make_shared<CountingConnector>(0, &runs);
  ReconnectingHost h(std::make_unique<DroppingHost>("web2", 0, &runs), host, connector, reporter);
  auto r = h.exec(ExecRequest{});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(connector->connects, 1);
  ASSERT_TRUE(h.exec(ExecRequest{}));  // the new session stays
  EXPECT_EQ(connector->connects, 1);
}

TEST_F(ReconnectingHostTest, GivesUpAfterTheBoundedAttemptsNamingBoth) {
  auto connector = std::make_shared<CountingConnector>(10, &runs);
  ReconnectingHost h(std::make_unique<DroppingHost>("web2", 0, &runs), host, connector, reporter);
  auto r = h.exec(ExecRequest{});
  ASSERT_FALSE(r);
  EXPECT_EQ(connector->connects, kReconnectAttempts);
  EXPECT_NE(r.error().message.find("dropped"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("could not reconnect after 2 attempts"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(runs, 0);
}

TEST_F(ReconnectingHostTest, AnErrorOnALiveSessionIsNotRetried) {
  auto connector = std::make_shared<CountingConnector>(0, &runs);
  ReconnectingHost h(std::make_unique<DroppingHost>("web2", 5, &runs), host, connector, reporter);
  EXPECT_FALSE(h.read_file("/missing"));
  EXPECT_EQ(connector->connects, 0);
}

}  // namespace
}  // namespace golive
