// The gate: every check, round by round, until each has passed `consecutive` times in a row or
// the window runs out. Login checks go first in each round so `session:` users find a session.
#include "golive/gate.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>
#include <variant>

namespace golive {
namespace {

struct CheckState {
  int attempts = 0;
  int streak = 0;  // passes in a row
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

// At most this many attempts at once: a big fleet's checks should not open hundreds of sockets.
constexpr std::size_t kMaxParallel = 16;

void run_attempts(const std::vector<std::size_t>& which, const std::vector<RenderedCheck>& checks,
                  CheckRunner& runner, std::vector<CheckAttempt>& out) {
  if (which.size() == 1) {
    out[which[0]] = runner.attempt(checks[which[0]]);
    return;
  }
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t k; (k = next.fetch_add(1)) < which.size();) {
      out[which[k]] = runner.attempt(checks[which[k]]);
    }
  };
  std::vector<std::jthread> threads;
  for (std::size_t t = 0; t < std::min(which.size(), kMaxParallel); ++t) threads.emplace_back(work);
}

std::string describe(Millis d) {
  if (d.count() % 60000 == 0) return std::to_string(d.count() / 60000) + "m";
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

}  // namespace

GateVerdict run_gate(const GateSpec& gate, const std::vector<RenderedCheck>& checks,
                     CheckRunner& runner, Clock& clock, const std::atomic<bool>* cancel) {
  auto cancelled = [cancel] { return cancel != nullptr && cancel->load(); };
  bool interrupted = false;
  const auto start = clock.now();
  const auto deadline = start + gate.window;
  const int needed = std::max(1, gate.consecutive);

  std::vector<RenderedCheck> rendered = checks;
  for (auto& c : rendered) c.timeout = gate.timeout;
  std::vector<CheckState> state(rendered.size());

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
        s.attempts++;
        s.last = std::move(results[i]);
        s.latencies.push_back(s.last.latency);
        for (const auto& w : s.last.warnings) {
          if (std::find(s.warnings.begin(), s.warnings.end(), w) == s.warnings.end()) {
            s.warnings.push_back(w);
          }
        }
        s.streak = s.last.passed ? s.streak + 1 : 0;
        s.done = s.streak >= needed;
      }
    }

    const auto next = round_start + gate.interval;
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
      r.reason =
          interrupted && (s.last.passed || s.attempts == 0)
              ? "interrupted before it decided (" + std::to_string(s.attempts) + " attempt(s))"
          : s.last.passed ? "passed " + std::to_string(s.streak) + " of " + std::to_string(needed) +
                                " consecutive attempts before the window (" +
                                describe(gate.window) + ") ran out"
                          : s.last.reason;
      verdict.passed = false;
    }
    verdict.checks.push_back(std::move(r));
  }
  verdict.duration = std::chrono::duration_cast<Millis>(clock.now() - start);
  return verdict;
}

namespace {

// XML 1.0 text: markup escaped, characters XML cannot carry replaced.
std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
      case '\n':
      case '\r':
        out += c;
        break;
      default:
        out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
    }
  }
  return out;
}

std::string seconds(Millis d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

}  // namespace

std::string gate_junit_xml(const GateVerdict& verdict, const std::string& suite_name) {
  int failures = 0;
  int errors = 0;
  for (const auto& c : verdict.checks) {
    if (!c.passed) (c.transport_error ? errors : failures)++;
  }
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<testsuites>\n<testsuite name=\"" + xml_escape(suite_name) + "\" tests=\"" +
       std::to_string(verdict.checks.size()) + "\" failures=\"" + std::to_string(failures) +
       "\" errors=\"" + std::to_string(errors) + "\" time=\"" + seconds(verdict.duration) + "\">\n";
  for (const auto& c : verdict.checks) {
    const std::string classname = suite_name + (c.host.empty() ? "" : "." + c.host);
    // A testcase's time is its median attempt; the attempts themselves are in system-out.
    x += "  <testcase name=\"" + xml_escape(c.name) + "\" classname=\"" + xml_escape(classname) +
         "\" time=\"" + seconds(c.p50) + "\">\n";
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
  x += "</testsuite>\n</testsuites>\n";
  return x;
}

}  // namespace golive
