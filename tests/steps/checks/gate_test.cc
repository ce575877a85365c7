// Gate semantics over a fake runner and a fake clock: consecutive passes, window expiry,
// transport vs wrong answer, percentiles, login-first ordering, JUnit output.
#include "golive/gate.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>

#include "tests/harness/check_fakes.h"

namespace golive {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;
using testing::rendered;

CheckAttempt pass(Millis latency = 10ms) {
  CheckAttempt a;
  a.passed = true;
  a.latency = latency;
  return a;
}

CheckAttempt wrong(std::string reason, Millis latency = 10ms) {
  CheckAttempt a;
  a.reason = std::move(reason);
  a.latency = latency;
  return a;
}

CheckAttempt transport(std::string reason) {
  CheckAttempt a = wrong(std::move(reason));
  a.transport_error = true;
  return a;
}

// Plays a script of attempts per check (the last one repeats) and records what it was asked.
class ScriptedRunner final : public CheckRunner {
 public:
  explicit ScriptedRunner(FakeClock& clock) : clock_(clock) {}
  CheckAttempt attempt(const RenderedCheck& check) override {
    std::lock_guard lock(mu_);
    calls.push_back({check.name, clock_.elapsed_ms()});
    timeouts.push_back(check.timeout);
    auto& script = scripts[check.name];
    const std::size_t n = seen_[check.name]++;
    return script.empty() ? pass() : script[std::min(n, script.size() - 1)];
  }
  std::map<std::string, std::vector<CheckAttempt>> scripts;
  std::vector<std::pair<std::string, long long>> calls;  // (check, ms since start)
  std::vector<Millis> timeouts;

 private:
  FakeClock& clock_;
  std::mutex mu_;
  std::map<std::string, std::size_t> seen_;
};

HttpCheck http() {
  HttpCheck h;
  h.url = "http://127.0.0.1:1/";
  return h;
}

GateSpec spec(Millis window, Millis interval, int consecutive) {
  GateSpec g;
  g.window = window;
  g.interval = interval;
  g.consecutive = consecutive;
  g.timeout = 1500ms;
  g.fail_after = 0;  // wait out the window (the fail_after tests set it)
  return g;
}

GateSpec fail_after(int n, Millis window = 60s) {
  GateSpec g = spec(window, 1s, 2);
  g.fail_after = n;
  return g;
}

TEST(Gate, PassesWhenEveryCheckPassesConsecutively) {
  FakeClock clock;
  ScriptedRunner runner(clock);
  auto v = run_gate(spec(2min, 5s, 2), {rendered("home", http()), rendered("api", http())}, runner,
                    clock);
  EXPECT_TRUE(v.passed);
  ASSERT_EQ(v.checks.size(), 2u);
  EXPECT_EQ(v.checks[0].name, "home");
  EXPECT_EQ(v.checks[0].attempts, 2);
  EXPECT_TRUE(v.checks[0].reason.empty());
  EXPECT_EQ(v.duration, 5s);                              // two rounds, one interval apart
  for (Millis t : runner.timeouts) EXPECT_EQ(t, 1500ms);  // gate.timeout reaches each attempt
}

TEST(Gate, ReportsEveryRoundAsChecksFillIn) {
  FakeClock clock;
  ScriptedRunner runner(clock);
  runner.scripts["home"] = {wrong("HTTP 500"), pass(), pass()};
  std::vector<std::vector<CheckResult>> rounds;
  auto v = run_gate(spec(2min, 5s, 2), {rendered("home", http()), rendered("api", http())}, runner,
                    clock, nullptr,
                    [&](const std::vector<CheckResult>& so_far) { rounds.push_back(so_far); });
  EXPECT_TRUE(v.passed);
  ASSERT_EQ(rounds.size(), 3u);
  EXPECT_FALSE(rounds[0][0].passed);
  EXPECT_EQ(rounds[0][0].reason, "HTTP 500");
  EXPECT_EQ(rounds[0][0].attempts, 1);
  EXPECT_TRUE(rounds[1][1].passed);  // api: two passes in a row
  EXPECT_FALSE(rounds[1][0].passed);
  EXPECT_TRUE(rounds[2][0].passed);
  EXPECT_EQ(rounds[2][0].attempts, 3);
}

TEST(Gate, AFailureResetsTheStreak) {
  FakeClock clock;
  ScriptedRunner runner(clock);
  runner.scripts["home"] = {wrong("a"), pass(), wrong("b"), pass(), pass()};
  auto v = run_gate(spec(2min, 5s, 2), {rendered("home", http())}, runner, clock);
  EXPECT_TRUE(v.passed);
  EXPECT_EQ(v.checks[0].attempts, 5);
  EXPECT_EQ(clock.elapsed_ms(), 20000);
}

TEST(Gate, WindowExpiryFailsWithTheLastReason) {
  FakeClock clock;
  ScriptedRunner runner(clock);
  runner.scripts["home"] = {wrong("GET /: expected status 200, got 502")};
  auto v =
      run_gate(spec(30s, 5s, 2), {rendered("home", http()), rendered("ok", http())}, runner, clock);
  EXPECT_FALSE(v.passed);
  EXPECT_FALSE(v.checks[0].passed);
  EXPECT_EQ(v.checks[0].attempts, 6);  // at 0, 5, 10, 15, 20, 25 s
  EXPECT_EQ(v.checks[0].reason, "GET /: expected status 200, got 502");
  EXPECT_FALSE(v.checks[0].transport_error);
  // A check that reached its passes stops being run.
  EXPECT_TRUE(v.checks[1].passed);
  EXPECT_EQ(v.checks[1].attempts, 2);
  EXPECT_LT(clock.elapsed_ms(), 30000);
}

TEST(Gate, TransportErrorsAreKeptApartFromWrongAnswers) {
  FakeClock clock;
  ScriptedRunner runner(clock);
  runner.scripts["down"] = {transport("GET /: Connection refused")};
  runner.scripts["bad"] = {wrong("GET /: expected status 200, got 500")};
  auto v = run_gate(spec(10s, 5s, 1), {rendered("down", http()), rendered("bad", http())}, runner,
                    clock);
  EXPECT_FALSE(v.passed);
  EXPECT_TRUE(v.checks[0].transport_error);
  EXPECT_FALSE(v.checks[1].transport_error);
  // A transport error earlier in the run does not stick once the last answer was wrong.
  runner.scripts["flaky"] = {transport("refused"), wrong("got 500")};
  auto w = run_gate(spec(10s, 5s, 1), {rendered("flaky", http())}, runner, clock);
  EXPECT_FALSE(w.checks[0].transport_error);
  EXPECT_EQ(w.checks[0].reason, "got 500");
}

TEST(Gate, WindowEndingMidStreakSaysSo) {
  FakeClock clock;
  ScriptedRunner runner(clock);
  runner.scripts["home"] = {wrong("x"), pass()};
  auto v = run_gate(spec(15s, 5s, 3), {rendered("home", http())}, runner, clock);
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.checks[0].attempts, 3);
  EXPECT_EQ(v.checks[0].reason,
            "passed 2 of 3 consecutive attempts before the window (15s) ran out");
}

TEST(Gate, FailAfterDecidesThreeWrongAnswersInARowAtOnce) {
  FakeClock clock;
  ScriptedRunner runner(clock);
  runner.scripts["login"] = {wrong("POST /login: expected a session cookie, got 401")};
  auto v =
      run_gate(fail_after(3), {rendered("login", http()), rendered("home", http())}, runner, clock);
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.checks[0].attempts, 3);
  EXPECT_EQ(clock.elapsed_ms(), 2000);  // rounds at 0, 1, 2 s: decided, not the 60 s window
  EXPECT_FALSE(v.checks[0].undecided);
  EXPECT_EQ(v.checks[0].reason,
            "POST /login: expected a session cookie, got 401 (3 wrong answers in a row, "
            "gate.fail_after 3)");
  EXPECT_TRUE(v.checks[1].passed);  // passed twice before the gate stopped
}

TEST(Gate, FailAfterIgnoresTransportErrorsAndResetsOnThem) {
  FakeClock clock;
  ScriptedRunner runner(clock);
  // A restart: refused for 5 rounds, one wrong answer while booting, then healthy.
  runner.scripts["home"] = {transport("refused"), transport("refused"), transport("refused"),
                            transport("refused"), transport("refused"), wrong("got 502"),
                            transport("refused"), wrong("got 502"),     pass()};
  auto v = run_gate(fail_after(2), {rendered("home", http())}, runner, clock);
  EXPECT_TRUE(v.passed);
  EXPECT_EQ(v.checks[0].attempts, 10);
}

TEST(Gate, FailAfterCountsOnlyWrongAnswersInARow) {
  FakeClock clock;
  ScriptedRunner runner(clock);
  runner.scripts["home"] = {wrong("a"), wrong("b"), pass(), wrong("c"), wrong("d"), wrong("e")};
  auto v = run_gate(fail_after(3), {rendered("home", http())}, runner, clock);
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.checks[0].attempts, 6);
  EXPECT_EQ(clock.elapsed_ms(), 5000);
}

TEST(Gate, FailAfterZeroWaitsOutTheWindow) {
  FakeClock clock;
  ScriptedRunner runner(clock);
  runner.scripts["home"] = {wrong("a")};
  auto v = run_gate(fail_after(0, 10s), {rendered("home", http())}, runner, clock);
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.checks[0].attempts, 10);
}

TEST(Gate, ChecksStillTryingWhenAnotherFailsFastAreUndecided) {
  FakeClock clock;
  ScriptedRunner runner(clock);
  runner.scripts["login"] = {wrong("401")};
  runner.scripts["mail"] = {transport("refused")};
  auto v =
      run_gate(fail_after(2), {rendered("login", http()), rendered("mail", http())}, runner, clock);
  EXPECT_FALSE(v.passed);
  EXPECT_FALSE(v.checks[1].passed);
  EXPECT_TRUE(v.checks[1].undecided);
  EXPECT_EQ(v.checks[1].reason,
            "not decided: the gate stopped when 'login' failed 2 times in a row");
}

TEST(Gate, ReportsLatencyPercentiles) {
  FakeClock clock;
  ScriptedRunner runner(clock);
  for (int i = 1; i <= 9; ++i) runner.scripts["home"].push_back(wrong("slow", Millis(i * 10)));
  runner.scripts["home"].push_back(pass(100ms));
  auto v = run_gate(spec(5min, 1s, 1), {rendered("home", http())}, runner, clock);
  EXPECT_TRUE(v.passed);
  EXPECT_EQ(v.checks[0].attempts, 10);
  EXPECT_EQ(v.checks[0].p50, 50ms);
  EXPECT_EQ(v.checks[0].p95, 100ms);
}

TEST(Gate, WarningsAreCollectedOnce) {
  FakeClock clock;
  ScriptedRunner runner(clock);
  CheckAttempt warned = pass();
  warned.warnings = {"Vary lacks Cookie"};
  runner.scripts["cache"] = {warned};
  auto v = run_gate(spec(1min, 1s, 3), {rendered("cache", http())}, runner, clock);
  EXPECT_TRUE(v.passed);
  EXPECT_EQ(v.checks[0].warnings, std::vector<std::string>{"Vary lacks Cookie"});
}

TEST(Gate, LoginChecksRunFirstInEachRound) {
  FakeClock clock;
  ScriptedRunner runner(clock);
  runner.scripts["login"] = {wrong("refused"), pass()};
  PrivateCacheCheck cache;
  cache.session = "login";
  LoginCheck login;
  auto v = run_gate(spec(1min, 5s, 2),
                    {rendered("cache", cache), rendered("home", http()), rendered("login", login)},
                    runner, clock);
  EXPECT_TRUE(v.passed);
  // Every round starts with the login check, though it is listed last.
  std::map<long long, std::vector<std::string>> rounds;
  for (const auto& [name, at] : runner.calls) rounds[at].push_back(name);
  for (const auto& [at, names] : rounds) {
    if (std::find(names.begin(), names.end(), "login") != names.end()) {
      EXPECT_EQ(names.front(), "login") << "round at " << at << "ms";
    }
  }
  EXPECT_EQ(v.checks[2].attempts, 3);
}

// Blocks each attempt until `n` attempts are in flight at once, proving they run in parallel.
class RendezvousRunner final : public CheckRunner {
 public:
  explicit RendezvousRunner(int n) : n_(n) {}
  CheckAttempt attempt(const RenderedCheck&) override {
    std::unique_lock lock(mu_);
    ++in_flight_;
    cv_.notify_all();
    const bool met = cv_.wait_for(lock, 5s, [this] { return in_flight_ >= n_; });
    return met ? pass() : wrong("ran alone");
  }

 private:
  int n_;
  int in_flight_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
};

TEST(Gate, ChecksOfARoundRunInParallel) {
  FakeClock clock;
  RendezvousRunner runner(3);
  auto v = run_gate(spec(1min, 1s, 1),
                    {rendered("a", http()), rendered("b", http()), rendered("c", http())}, runner,
                    clock);
  EXPECT_TRUE(v.passed) << v.checks[0].reason;
}

TEST(Gate, JunitXmlEscapesAndCountsFailuresAndErrors) {
  GateVerdict v;
  v.passed = false;
  v.duration = 1234ms;
  CheckResult ok;
  ok.name = "home";
  ok.attempts = 2;
  ok.p50 = 12ms;
  ok.p95 = 20ms;
  ok.passed = true;
  ok.warnings = {"Vary lacks <Cookie>"};
  CheckResult bad;
  bad.name = "private \"pages\" & <co>";
  bad.host = "web1";
  bad.reason = "Cache-Control is 'public, max-age=600'\x01";
  CheckResult down;
  down.name = "smtp";
  down.transport_error = true;
  down.reason = "Connection refused";
  v.checks = {ok, bad, down};
  const std::string x = gate_junit_xml(v, "gate production");
  EXPECT_NE(x.find(R"(<testsuite name="gate production" tests="3" failures="1" errors="1" )"
                   R"(time="1.234">)"),
            std::string::npos)
      << x;
  EXPECT_NE(x.find(R"(<testcase name="home" classname="gate production" time="0.012">)"),
            std::string::npos)
      << x;
  EXPECT_NE(x.find("Vary lacks &lt;Cookie&gt;"), std::string::npos);
  EXPECT_NE(x.find(R"(<testcase name="private &quot;pages&quot; &amp; &lt;co&gt;" )"
                   R"(classname="gate production.web1")"),
            std::string::npos)
      << x;
  EXPECT_NE(x.find(R"(<failure message="Cache-Control is &#39;public, max-age=600&#39;^A" )"
                   R"(type="wrong_answer">)"),
            std::string::npos)
      << x;
  EXPECT_NE(x.find(R"(<error message="Connection refused" type="transport_error">)"),
            std::string::npos)
      << x;
  EXPECT_EQ(x.find('\x01'), std::string::npos);
}

TEST(GateJunit, EveryGateOfACommandIsItsOwnTestsuiteInOneDocument) {
  GateVerdict first;
  CheckResult ok;
  ok.name = "login";
  ok.host = "web1";
  ok.passed = true;
  first.checks = {ok};
  GateVerdict second;
  CheckResult bad = ok;
  bad.host = "web3";
  bad.passed = false;
  bad.reason = "expected 2xx";
  second.checks = {bad};
  const std::string x = gate_junit_xml(
      {{"golive gate (batch 1/2: web1)", first}, {"golive gate (batch 2/2: web3)", second}});
  EXPECT_EQ(x.find("<testsuites>"), x.rfind("<testsuites>")) << x;
  const auto a =
      x.find(R"x(<testsuite name="golive gate (batch 1/2: web1)" tests="1" failures="0")x");
  const auto b =
      x.find(R"x(<testsuite name="golive gate (batch 2/2: web3)" tests="1" failures="1")x");
  ASSERT_NE(a, std::string::npos) << x;
  ASSERT_NE(b, std::string::npos) << x;
  EXPECT_LT(a, b);
  EXPECT_NE(x.find(R"x(classname="golive gate (batch 2/2: web3).web3")x"), std::string::npos) << x;
}

}  // namespace
}  // namespace golive
