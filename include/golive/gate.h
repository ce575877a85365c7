// Smoke checks and the gate that runs them after the switch. Checks are data in, verdict out.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "golive/clock.h"
#include "golive/runbook.h"

namespace golive {

class RemoteHost;
class LocalProcess;

// A check with every template rendered for one target (or once, when host is empty).
struct RenderedCheck {
  std::string name;
  std::string host;  // set when the check's templates use {{ host.* }}
  CheckSpec spec;
  Millis timeout = std::chrono::seconds(10);  // per attempt; run_gate sets it from gate.timeout
};

// One try of one check.
struct CheckAttempt {
  bool passed = false;
  bool transport_error = false;  // could not get an answer (refused, timeout) vs a wrong answer
  bool pending = false;  // a right answer that has not held long enough yet (`for:`): not wrong
  std::string reason;    // expected vs got, redacted by the caller
  Millis latency{0};
  std::vector<std::string> warnings;
  std::string detail;  // what a passing attempt observed worth recording (e.g. the mail token)
};

struct CheckResult {
  std::string name;
  std::string host;
  bool passed = false;
  bool transport_error = false;
  int attempts = 0;
  Millis p50{0};
  Millis p95{0};
  std::string reason;  // why it failed (last attempt), or empty
  std::vector<std::string> warnings;
  bool undecided = false;  // still trying when another check failed the gate (gate.fail_after)
};

struct GateVerdict {
  bool passed = true;
  bool interrupted = false;  // a signal stopped the gate before it decided: not a pass
  std::vector<CheckResult> checks;
  Millis duration{0};
};

// Runs one attempt of a check; keeps login sessions so later checks can use `session:`.
class CheckRunner {
 public:
  virtual ~CheckRunner() = default;
  virtual CheckAttempt attempt(const RenderedCheck& check) = 0;
};

// The libcurl-backed runner; `hosts` serves `command` checks that run on a host.
std::unique_ptr<CheckRunner> make_check_runner(std::map<std::string, RemoteHost*> hosts,
                                               LocalProcess& local);

// Called after each round with every check so far: `passed` once it has passed `consecutive`
// times in a row, `attempts`, and `reason` of its last attempt when that failed.
using GateRoundObserver = std::function<void(const std::vector<CheckResult>& so_far)>;

// Runs every check every `interval` until each has passed `consecutive` times in a row, one has
// given `fail_after` definitive wrong answers in a row (the gate fails at once), or the window
// runs out. Checks run in parallel; the verdict lists every check. A set `cancel` ends the
// gate after the current round with an interrupted, failed verdict.
GateVerdict run_gate(const GateSpec& gate, const std::vector<RenderedCheck>& checks,
                     CheckRunner& runner, Clock& clock, const std::atomic<bool>* cancel = nullptr,
                     const GateRoundObserver& after_round = nullptr);

// One gate's verdict under its suite name ("golive gate", "golive gate batch 2/3"...).
struct JunitSuite {
  std::string name;
  GateVerdict verdict;
};

// Writes gates as one JUnit XML document: a testsuite per gate, a testcase per check.
std::string gate_junit_xml(const std::vector<JunitSuite>& suites);

// The same for one gate.
std::string gate_junit_xml(const GateVerdict& verdict, const std::string& suite_name);

}  // namespace golive
