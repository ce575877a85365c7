// The libssh adapter against each SSH server golive meets in the field: OpenSSH with dash and with
// bash as the login shell, and Dropbear. Regression for the use-after-free mid-rollback: a
// timed-out command's late exit-status/close reached callbacks on a dead stack frame (Dropbear,
// frozen host).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "golive/remote_host.h"
#include "tests/harness/sandbox_fleet.h"

namespace golive {
namespace {

using testing::FleetKind;
using testing::SandboxFleet;
using Clock = std::chrono::steady_clock;

// One small fleet per server kind, started on first use and kept for the process.
SandboxFleet& fleet_of(const FleetKind& kind) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<SandboxFleet>> fleets;
  std::lock_guard lock(mu);
  auto& f = fleets[kind.server + "/" + kind.shell];
  if (!f) f = SandboxFleet::start(1, kind);
  return *f;
}

std::unique_ptr<RemoteHost> connect(SandboxFleet& fleet, Millis alive_timeout = Millis(15000)) {
  ConnectOptions options;
  options.ssh_config = fleet.ssh_config();
  options.connect_timeout = std::chrono::seconds(5);
  options.alive_timeout = alive_timeout;
  auto host = make_ssh_connector(options)->connect(fleet.host(1));
  if (!host) throw std::runtime_error(host.error().message);
  return std::move(*host);
}

Result<ExecResult> run(RemoteHost& host, const std::string& command, Millis timeout) {
  ExecRequest req;
  req.command = command;
  req.timeout = timeout;
  return host.exec(req);
}

std::string token() {
  return std::to_string(40 + std::random_device{}() % 50) + "." +
         std::to_string(std::random_device{}() % 100000);
}

// Whether any live (non-zombie) process on this machine runs `sleep <t>`.
bool sleep_alive(const std::string& t) {
  int code = 0;
  std::string out = SandboxFleet::sh(
      "ps -A -o stat=,args= | grep -v '^Z' | grep -F -- 'sleep " + t + "' | grep -v grep", &code);
  return !out.empty();
}

class SshInterop : public ::testing::TestWithParam<FleetKind> {};

TEST_P(SshInterop, CommandsRunWithTheirExitStatusAndOutput) {
  auto host = connect(fleet_of(GetParam()));
  auto r = run(*host, "echo out; echo err >&2; exit 7", Millis(10000));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_status, 7);
  EXPECT_NE(r->output.find("out"), std::string::npos);
  EXPECT_NE(r->output.find("err"), std::string::npos);
  EXPECT_EQ(r->output.find("golive-pgid"), std::string::npos) << r->output;
}

// The crash: a step times out, then the rollback's commands run on the same session while the peer
// still delivers the timed-out channel's exit-status and close.
TEST_P(SshInterop, TimedOutCommandIsKilledAndTheSessionKeepsWorking) {
  auto host = connect(fleet_of(GetParam()));
  const std::string t = token();
  auto r = run(*host, "sleep " + t + " & sleep " + t + "; echo never", Millis(1500));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->timed_out);
  EXPECT_FALSE(sleep_alive(t)) << "the timed-out process tree survived on " << GetParam().server;
  for (int i = 0; i < 20; ++i) {  // late packets for the dead channel arrive during these
    auto again = run(*host, "echo alive " + std::to_string(i), Millis(10000));
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->output, "alive " + std::to_string(i) + "\n");
  }
}

TEST_P(SshInterop, CancelKillsTheProcessTree) {
  auto host = connect(fleet_of(GetParam()));
  const std::string t = token();
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    cancel = true;
  });
  ExecRequest req;
  req.command = "sleep " + t + " & sleep " + t;
  req.cancel = &cancel;
  auto r = host->exec(req);
  canceller.join();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->cancelled);
  EXPECT_FALSE(sleep_alive(t));
  auto again = run(*host, "echo alive", Millis(10000));
  ASSERT_TRUE(again) << again.error().message;
}

TEST_P(SshInterop, SftpWritesAndReadsFiles) {
  auto& fleet = fleet_of(GetParam());
  auto host = connect(fleet);
  const std::string path = fleet.root(1) + "/interop-" + token();
  ASSERT_TRUE(host->write_file(path, "secret=1\n", 0600));
  auto back = host->read_file(path);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, "secret=1\n");
  auto mode = run(*host, "stat -c %a " + path, Millis(10000));
  ASSERT_TRUE(mode);
  EXPECT_EQ(mode->output, "600\n");
  EXPECT_FALSE(host->read_file(path + ".missing"));
}

INSTANTIATE_TEST_SUITE_P(Servers, SshInterop,
                         ::testing::Values(FleetKind{"openssh", "sh"}, FleetKind{"openssh", "bash"},
                                           FleetKind{"dropbear", "sh"}),
                         [](const ::testing::TestParamInfo<FleetKind>& p) {
                           return p.param.server + "_" + p.param.shell;
                         });

// A host frozen mid-command (its sshd stopped with SIGSTOP) is named within the alive timeout, not
// after the step's timeout, and nothing crashes afterwards.
TEST(SshFrozenHost, IsNamedWithinTheAliveTimeout) {
  auto& fleet = fleet_of(FleetKind{"openssh", "sh"});
  auto host = connect(fleet, Millis(3000));
  auto ppid = run(*host, testing::kSshdPidCommand, Millis(10000));
  ASSERT_TRUE(ppid);
  const std::string sshd_child = ppid->output.substr(0, ppid->output.find('\n'));
  std::thread freezer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    SandboxFleet::sh("kill -STOP " + sshd_child);
  });
  auto t0 = Clock::now();
  auto r = run(*host, "sleep 30", Millis(60000));
  auto took = Clock::now() - t0;
  freezer.join();
  SandboxFleet::sh("kill -CONT " + sshd_child + "; kill -TERM " + sshd_child + " || true");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("web1"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("stopped answering"), std::string::npos) << r.error().message;
  EXPECT_LT(took, std::chrono::seconds(15));
  EXPECT_FALSE(run(*host, "echo after", Millis(5000)));  // an error, not a crash
}

// A frozen host whose command times out: the group kill and the channel close must not touch the
// exec() frame that is gone by the time the peer answers.
TEST(SshFrozenHost, TimeoutOnAFrozenHostEndsCleanly) {
  auto& fleet = fleet_of(FleetKind{"openssh", "sh"});
  auto host = connect(fleet, Millis(0));  // no alive check: the step timeout has to end it
  auto ppid = run(*host, testing::kSshdPidCommand, Millis(10000));
  ASSERT_TRUE(ppid);
  const std::string sshd_child = ppid->output.substr(0, ppid->output.find('\n'));
  std::thread freezer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    SandboxFleet::sh("kill -STOP " + sshd_child);
  });
  auto r = run(*host, "sleep 30", Millis(1500));
  freezer.join();
  SandboxFleet::sh("kill -CONT " + sshd_child);
  if (r) {
    EXPECT_TRUE(r->timed_out);
  }
  for (int i = 0; i < 5; ++i) (void)run(*host, "echo after", Millis(2000));
  SUCCEED();
}

}  // namespace
}  // namespace golive
