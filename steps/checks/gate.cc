// The gate: every check, round by round, until each has passed `consecutive` times in a row or
// the window runs out. Login checks go first in each round so `session:` users find a session.
#include "golive/gate.h"

#include <algorithm>
#include <cstdio>
#include <variant>

#include "golive/duration.h"
#include "golive/parallel.h"
#include "golive/visible_text.h"

namespace golive {
namespace {

struct CheckState {
  int attempts = 0;
  int streak = 0;  // passes in a row
  int wrong = 0;   // definitive wrong answers in a row (transport errors reset it)
  bool done = false;
  CheckAttempt last;
  std::vector<Millis> latencies;
  std::vector<std::string> warnings;
};

// Nearest-rank percentile of the attempts' latencies.
Millis percentile(std::vector<Millis> values, double p) {
  if (values.empty()) return Millis{0};
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(p * static_cast<double>(values.size()) + 0.999999);
  rank = std::clamp<std::size_t>(rank, 1, values.size());
  return values[rank - 1];
}

void run_attempts(const std::vector<std::size_t>& which, const std::vector<RenderedCheck>& checks,
                  CheckRunner& runner, std::vector<CheckAttempt>& out) {
  parallel_for(which.size(), workers::kChecks,
               [&](std::size_t k) { out[which[k]] = runner.attempt(checks[which[k]]); });
}

// Adds one attempt to a check's state: its streak of passes and of wrong answers (a
// transport error or a pending answer ends the latter: only definitive answers count).
void record_attempt(CheckState& s, CheckAttempt attempt, int needed) {
  s.attempts++;
  s.last = std::move(attempt);
  s.latencies.push_back(s.last.latency);
  for (const auto& w : s.last.warnings) {
    if (std::find(s.warnings.begin(), s.warnings.end(), w) == s.warnings.end()) {
      s.warnings.push_back(w);
    }
  }
  s.streak = s.last.passed ? s.streak + 1 : 0;
  s.wrong = !s.last.passed && !s.last.transport_error && !s.last.pending ? s.wrong + 1 : 0;
  s.done = s.streak >= needed;
}

// What a round observer sees: every check so far.
std::vector<CheckResult> so_far(const std::vector<RenderedCheck>& rendered,
                                const std::vector<CheckState>& state) {
  std::vector<CheckResult> out(rendered.size());
  for (std::size_t i = 0; i < rendered.size(); ++i) {
    out[i].name = rendered[i].name;
    out[i].host = rendered[i].host;
    out[i].passed = state[i].done;
    out[i].attempts = state[i].attempts;
    if (!state[i].last.passed) out[i].reason = state[i].last.reason;
  }
  return out;
}

}  // namespace

GateVerdict run_gate(const GateSpec& gate, const std::vector<RenderedCheck>& checks,
                     CheckRunner& runner, Clock& clock, const std::atomic<bool>* cancel,
                     const GateRoundObserver& after_round) {
  auto cancelled = [cancel] { return cancel != nullptr && cancel->load(); };
  bool interrupted = false;
  const auto start = clock.now();
  const auto deadline = start + gate.window;
  const int needed = std::max(1, gate.consecutive);

  std::vector<RenderedCheck> rendered = checks;
  for (auto& c : rendered) c.timeout = gate.timeout;
  std::vector<CheckState> state(rendered.size());
  long failed_fast = -1;  // the check that gave fail_after wrong answers in a row

  for (;;) {
    if (cancelled()) {
      interrupted = true;
      break;
    }
    const auto round_start = clock.now();
    std::vector<std::size_t> logins;
    std::vector<std::size_t> others;
    for (std::size_t i = 0; i < rendered.size(); ++i) {
      if (state[i].done) continue;
      (std::holds_alternative<LoginCheck>(rendered[i].spec) ? logins : others).push_back(i);
    }
    if (logins.empty() && others.empty()) break;

    std::vector<CheckAttempt> results(rendered.size());
    for (const auto* phase : {&logins, &others}) {
      if (!phase->empty()) run_attempts(*phase, rendered, runner, results);
    }
    for (const auto* phase : {&logins, &others}) {
      for (std::size_t i : *phase) {
        CheckState& s = state[i];
        record_attempt(s, std::move(results[i]), needed);
        if (gate.fail_after > 0 && s.wrong >= gate.fail_after && failed_fast < 0) {
          failed_fast = static_cast<long>(i);
        }
      }
    }

    if (after_round) after_round(so_far(rendered, state));
    const auto next = round_start + gate.interval;
    if (failed_fast >= 0) break;  // decided: waiting out the window would only delay the restore
    if (std::all_of(state.begin(), state.end(), [](const CheckState& s) { return s.done; }) ||
        next >= deadline) {
      break;
    }
    const auto now = clock.now();
    if (now >= deadline) break;
    if (now < next) clock.sleep_for(std::chrono::duration_cast<Millis>(next - now));
  }

  GateVerdict verdict;
  verdict.interrupted = interrupted;
  if (interrupted) verdict.passed = false;
  for (std::size_t i = 0; i < rendered.size(); ++i) {
    const CheckState& s = state[i];
    CheckResult r;
    r.name = rendered[i].name;
    r.host = rendered[i].host;
    r.passed = s.done;
    r.attempts = s.attempts;
    r.p50 = percentile(s.latencies, 0.50);
    r.p95 = percentile(s.latencies, 0.95);
    r.warnings = s.warnings;
    if (!r.passed) {
      r.transport_error = !s.last.passed && s.last.transport_error;
      r.undecided = failed_fast >= 0 && s.wrong < gate.fail_after;
      r.reason =
          r.undecided ? "not decided: the gate stopped when '" +
                            rendered[static_cast<std::size_t>(failed_fast)].name + "' failed " +
                            std::to_string(gate.fail_after) + " times in a row"
          : failed_fast >= 0
              ? s.last.reason + " (" + std::to_string(s.wrong) + " wrong answers in a row, " +
                    "gate.fail_after " + std::to_string(gate.fail_after) + ")"
          : interrupted && (s.last.passed || s.attempts == 0)
              ? "interrupted before it decided (" + std::to_string(s.attempts) + " attempt(s))"
          : s.last.passed ? "passed " + std::to_string(s.streak) + " of " + std::to_string(needed) +
                                " consecutive attempts before the window (" +
                                format_duration(gate.window) + ") ran out"
                          : s.last.reason;
      verdict.passed = false;
    }
    verdict.checks.push_back(std::move(r));
  }
  verdict.duration = std::chrono::duration_cast<Millis>(clock.now() - start);
  return verdict;
}

namespace {

// XML 1.0 text: control characters made visible first (a report viewer is a terminal too, and
// XML cannot carry most of them), then markup escaped.
std::string xml_escape(std::string_view raw) {
  return markup_escape(visible(raw, /*keep_newlines=*/true));
}

// One <testsuite> element.
std::string junit_suite_xml(const GateVerdict& verdict, const std::string& suite_name) {
  int failures = 0;
  int errors = 0;
  for (const auto& c : verdict.checks) {
    if (!c.passed) (c.transport_error ? errors : failures)++;
  }
  std::string x = "<testsuite name=\"" + xml_escape(suite_name) + "\" tests=\"" +
                  std::to_string(verdict.checks.size()) + "\" failures=\"" +
                  std::to_string(failures) + "\" errors=\"" + std::to_string(errors) +
                  "\" time=\"" + format_seconds(verdict.duration, 3) + "\">\n";
  for (const auto& c : verdict.checks) {
    const std::string classname = suite_name + (c.host.empty() ? "" : "." + c.host);
    // A testcase's time is its median attempt; the attempts themselves are in system-out.
    x += "  <testcase name=\"" + xml_escape(c.name) + "\" classname=\"" + xml_escape(classname) +
         "\" time=\"" + format_seconds(c.p50, 3) + "\">\n";
    if (!c.passed) {
      const char* tag = c.transport_error ? "error" : "failure";
      x += std::string("    <") + tag + " message=\"" + xml_escape(c.reason) + "\" type=\"" +
           (c.transport_error ? "transport_error" : "wrong_answer") + "\">" + xml_escape(c.reason) +
           "</" + tag + ">\n";
    }
    std::string out = "attempts: " + std::to_string(c.attempts) +
                      ", p50: " + std::to_string(c.p50.count()) +
                      "ms, p95: " + std::to_string(c.p95.count()) + "ms";
    for (const auto& w : c.warnings) out += "\nwarning: " + w;
    x += "    <system-out>" + xml_escape(out) + "</system-out>\n  </testcase>\n";
  }
  return x + "</testsuite>\n";
}

}  // namespace

std::string gate_junit_xml(const std::vector<JunitSuite>& suites) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
  for (const auto& s : suites) x += junit_suite_xml(s.verdict, s.name);
  return x + "</testsuites>\n";
}

std::string gate_junit_xml(const GateVerdict& verdict, const std::string& suite_name) {
  return gate_junit_xml(std::vector<JunitSuite>{{suite_name, verdict}});
}

}  // namespace golive
