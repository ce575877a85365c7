// The Boost.Process adapter against real /bin/sh processes.
#include "golive/local_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/harness/scoped_temp_dir.h"

namespace golive {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// True once `pid` no longer runs; a zombie waiting for a reaper that is not ours counts as gone.
bool process_gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  auto close_paren = line.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < line.size() &&
         line[close_paren + 2] == 'Z';
}

bool eventually_gone(pid_t pid) {
  for (int i = 0; i < 250; ++i) {
    if (process_gone(pid)) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

std::vector<pid_t> read_pids(const fs::path& file) {
  std::ifstream in(file);
  std::vector<pid_t> pids;
  pid_t pid;
  while (in >> pid) pids.push_back(pid);
  return pids;
}

// A request with the defaults; tests set the fields they exercise.
LocalRequest cmd(std::string command) {
  LocalRequest req;
  req.command = std::move(command);
  return req;
}

class LocalProcessTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = tmp_.path(); }
  void TearDown() override {
    for (pid_t pid : leftovers_) ::kill(pid, SIGKILL);
  }

  ExecResult run(LocalRequest req) {
    auto result = proc_->run(req);
    EXPECT_TRUE(result) << result.error().message;
    return result ? *result : ExecResult{};
  }

  golive::testing::ScopedTempDir tmp_{"golive-proc"};
  fs::path dir_;
  std::vector<pid_t> leftovers_;
  std::unique_ptr<LocalProcess> proc_ = make_local_process();
};

TEST_F(LocalProcessTest, ReportsExitStatus) {
  EXPECT_EQ(run(cmd("true")).exit_status, 0);
  auto r = run(cmd("exit 3"));
  EXPECT_EQ(r.exit_status, 3);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(run(cmd("kill -TERM $$")).exit_status, 128 + SIGTERM);
}

TEST_F(LocalProcessTest, CapturesAndStreamsBothStreams) {
  std::string streamed_out, streamed_err;
  LocalRequest req = cmd("echo out; echo err >&2");
  req.on_output = [&](Stream s, std::string_view chunk) {
    (s == Stream::kStdout ? streamed_out : streamed_err).append(chunk);
  };
  auto r = run(req);
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_EQ(streamed_out, "out\n");
  EXPECT_EQ(streamed_err, "err\n");
  EXPECT_NE(r.output.find("out\n"), std::string::npos);
  EXPECT_NE(r.output.find("err\n"), std::string::npos);
}

TEST_F(LocalProcessTest, StreamsOutputWhileTheCommandRuns) {
  // The command waits for a file the callback creates on seeing its first line: it can only
  // finish if output is delivered before the command exits.
  const fs::path flag = dir_ / "flag";
  LocalRequest req =
      cmd("echo first; while [ ! -e '" + flag.string() + "' ]; do sleep 0.01; done; echo second");
  req.timeout = 10s;
  req.on_output = [&](Stream, std::string_view chunk) {
    if (chunk.find("first") != std::string_view::npos) std::ofstream(flag) << "go";
  };
  auto r = run(req);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.output, "first\nsecond\n");
}

TEST_F(LocalProcessTest, KeepsTheLast64KiB) {
  auto r = run(cmd("head -c 200000 /dev/zero | tr '\\0' a; echo END"));
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_EQ(r.output.size(), 64u * 1024u);
  EXPECT_TRUE(r.output.ends_with("aaaEND\n"));
}

TEST_F(LocalProcessTest, AddsEnvToTheInheritedEnvironment) {
  LocalRequest req = cmd("printf '%s|%s' \"$GOLIVE_TEST_VALUE\" \"${PATH:+has-path}\"");
  req.env = {{"GOLIVE_TEST_VALUE", "hello world $HOME"}};
  EXPECT_EQ(run(req).output, "hello world $HOME|has-path");
}

TEST_F(LocalProcessTest, RunsInTheWorkingDirectory) {
  LocalRequest req = cmd("pwd -P");
  req.cwd = dir_.string();
  EXPECT_EQ(run(req).output, fs::canonical(dir_).string() + "\n");
}

TEST_F(LocalProcessTest, FeedsStdin) {
  LocalRequest small = cmd("cat");
  small.stdin_data = "line1\nline2\n";
  EXPECT_EQ(run(small).output, "line1\nline2\n");
  // More than a pipe buffer holds, so writing and reading must interleave.
  LocalRequest big = cmd("wc -c | tr -d ' '");
  big.stdin_data.assign(1 << 20, 'x');
  EXPECT_EQ(run(big).output, "1048576\n");
  EXPECT_EQ(run(cmd("cat")).output, "");  // no stdin data: end-of-file at once
}

TEST_F(LocalProcessTest, CommandThatIgnoresStdinDoesNotHurtUs) {
  LocalRequest req = cmd("exec 0<&-; echo done");
  req.stdin_data.assign(1 << 20, 'x');
  auto r = run(req);
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_EQ(r.output, "done\n");
}

TEST_F(LocalProcessTest, TimeoutKillsTheWholeProcessGroup) {
  const fs::path pids = dir_ / "pids";
  const std::string p = "'" + pids.string() + "'";
  // A background child, and a subshell with its own background child: all in the group.
  LocalRequest req = cmd("sleep 300 & echo $! >> " + p + "; (sleep 300 & echo $! >> " + p +
                         "; wait) & echo $! >> " + p + "; wait");
  req.timeout = 1s;  // room for a loaded machine to write all three pids first
  const auto started = std::chrono::steady_clock::now();
  auto r = run(req);
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
  auto spawned = read_pids(pids);
  ASSERT_EQ(spawned.size(), 3u);
  leftovers_ = spawned;
  for (pid_t pid : spawned) EXPECT_TRUE(eventually_gone(pid)) << "pid " << pid << " survived";
}

TEST_F(LocalProcessTest, TimeoutEscalatesToSigkill) {
  const fs::path pids = dir_ / "pids";
  LocalRequest req = cmd("trap '' TERM; sleep 300 & echo $! > '" + pids.string() + "'; wait");
  req.timeout = 500ms;
  req.kill_grace = 200ms;
  auto r = run(req);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_status, 128 + SIGKILL);
  auto spawned = read_pids(pids);
  ASSERT_EQ(spawned.size(), 1u);
  leftovers_ = spawned;
  EXPECT_TRUE(eventually_gone(spawned[0]));
}

TEST_F(LocalProcessTest, BackgroundProcessHoldingThePipeDoesNotHang) {
  const fs::path pids = dir_ / "pids";
  LocalRequest req = cmd("sleep 300 & echo $! > '" + pids.string() + "'; echo started");
  req.timeout = 30s;
  auto r = run(req);
  leftovers_ = read_pids(pids);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_EQ(r.output, "started\n");
  EXPECT_LT(r.duration, 5s);
}

TEST_F(LocalProcessTest, CancelKillsTheGroup) {
  std::atomic<bool> cancel{false};
  LocalRequest req = cmd("echo ready; sleep 300");
  req.timeout = 30s;
  req.cancel = &cancel;
  req.on_output = [&](Stream, std::string_view) { cancel = true; };
  auto r = run(req);
  EXPECT_TRUE(r.cancelled);
  EXPECT_FALSE(r.timed_out);
  EXPECT_LT(r.duration, 5s);
}

TEST_F(LocalProcessTest, MissingWorkingDirectoryIsAStartFailure) {
  LocalRequest req = cmd("true");
  req.cwd = (dir_ / "missing").string();
  auto r = proc_->run(req);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("missing"), std::string::npos);
}

}  // namespace
}  // namespace golive
