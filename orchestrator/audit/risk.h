// The audit's outcome: a list of findings ranked by severity, each with what was seen and the
// exact fix; rendered as text, Markdown and JSON (docs/launch-readiness.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace golive {

// Ordered most to least severe; exit 3 when anything critical or high is found.
enum class Severity { kCritical, kHigh, kMedium, kLow };

std::string_view severity_name(Severity s);

// One launch risk. `seen` and `fix` never hold a secret value (callers pass them through the
// Redactor before any sink anyway).
struct Finding {
  Severity severity = Severity::kMedium;
  std::string family;  // tls, headers, exposure, cache, email, access, auth, secrets, latency
  std::string title;   // short: "HSTS missing"
  std::string seen;    // what was observed, with the URL
  std::string fix;     // the exact change that removes the risk
};

// Everything one audit found, plus the checks that could not run and how many requests it sent.
struct RiskList {
  std::vector<Finding> findings;
  std::vector<std::string>
      notes;  // skipped checks and why ("no launch.domain: email DNS not checked")
  int requests = 0;

  void add(Severity s, std::string family, std::string title, std::string seen, std::string fix);
  // Critical first, then high, medium, low; within one severity by family then title (stable).
  void rank();
  int count(Severity s) const;
  // 3 when any finding is critical or high, else 0.
  int exit_code() const;
};

// Plain text for the terminal: one block per finding, a summary line at the end.
std::string risk_text(const RiskList& list, const std::string& title);
// A one-page Markdown risk list (a table of counts, then each finding with its fix).
std::string risk_markdown(const RiskList& list, const std::string& title);
// {"environment":..., "counts":{...}, "findings":[{severity, family, title, seen, fix}], ...}.
std::string risk_json(const RiskList& list, const std::string& environment);

}  // namespace golive
