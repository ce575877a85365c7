#include "orchestrator/release/gate_runner.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <utility>

#include "golive/crash_point.h"

namespace golive {

std::string gate_failure_summary(const GateVerdict& verdict) {
  // One entry per failing check name (hosts grouped), with the first host's reason: a broken
  // login on 20 hosts is one problem, not twenty.
  std::vector<std::string> order;
  std::map<std::string, std::pair<std::string, std::string>> by_name;  // name -> (hosts, reason)
  const bool decided = std::any_of(verdict.checks.begin(), verdict.checks.end(),
                                   [](const CheckResult& c) { return !c.passed && !c.undecided; });
  for (const auto& c : verdict.checks) {
    if (c.passed || (decided && c.undecided)) continue;
    auto [it, fresh] = by_name.try_emplace(c.name);
    if (fresh) {
      order.push_back(c.name);
      it->second.second = c.reason;
    }
    if (!c.host.empty()) it->second.first += (it->second.first.empty() ? "@" : ",") + c.host;
  }
  std::string out;
  for (const auto& name : order) {
    const auto& [hosts, reason] = by_name[name];
    if (!out.empty()) out += "; ";
    out += name + (hosts.empty() ? "" : " " + hosts) + ": " + reason;
  }
  return out;
}

GateVerdict run_and_record_gate(AppContext& app, const GateSpec& spec,
                                const std::vector<RenderedCheck>& checks,
                                std::map<std::string, RemoteHost*> hosts, Ledger* ledger,
                                const std::string& release_id, Phase phase_kind) {
  const std::string phase(str(phase_kind));
  Reporter& rep = *app.reporter;
  rep.phase(phase);
  rep.info(phase + ": " + std::to_string(checks.size()) + " check run(s), each must pass " +
           std::to_string(spec.consecutive) + "x in a row within " + format_duration(spec.window));
  auto runner = app.make_checks(std::move(hosts), *app.local);
  // Verifying a restore must finish even though the signal that caused it is still set.
  const std::atomic<bool>* cancel = phase_kind == Phase::kVerify ? nullptr : app.cancel;
  rep.waiting(phase + ": " + std::to_string(checks.size()) + " check run(s) in the window",
              std::chrono::steady_clock::now() + spec.window);
  GateVerdict verdict = run_gate(spec, checks, *runner, *app.clock, cancel,
                                 [&rep, &phase](const std::vector<CheckResult>& so_far) {
                                   rep.gate_progress(so_far);
                                   crash_point("during", phase);  // after a round of checks
                                 });
  rep.gate_progress({});  // the verdict's lines below say it for good
  rep.waiting("");
  if (verdict.interrupted) rep.error(phase + " interrupted by " + signal_description(app));
  for (const auto& c : verdict.checks) {
    std::string line = std::string(c.passed ? "  pass " : "  FAIL ") + c.name +
                       (c.host.empty() ? "" : " @" + c.host) + " (" + std::to_string(c.attempts) +
                       " attempts, p50 " + format_duration(c.p50) + ", p95 " +
                       format_duration(c.p95) + ")";
    if (!c.passed) line += (c.transport_error ? ": unreachable: " : ": ") + c.reason;
    if (c.passed)
      rep.info(line);
    else
      rep.error(line);
    for (const auto& w : c.warnings) rep.warn(c.name + ": " + w);
    if (ledger) {
      CheckRecord rec;
      rec.release_id = release_id;
      rec.check = c.name;
      rec.host = c.host;
      rec.phase = phase;
      rec.attempts = c.attempts;
      rec.p50_ms = c.p50.count();
      rec.p95_ms = c.p95.count();
      rec.passed = c.passed;
      rec.reason = app.redactor.redact(c.reason);
      if (auto s = ledger->record_check(rec); !s) rep.warn("ledger: " + s.error().message);
    }
  }
  return verdict;
}

void JunitReport::add(AppContext& app, std::string name, const GateVerdict& verdict) {
  if (path_.empty()) return;
  suites_.push_back({std::move(name), verdict});
  std::ofstream out(path_, std::ios::trunc);
  out << app.redactor.redact(gate_junit_xml(suites_));
  if (!out) app.reporter->warn("cannot write JUnit report to " + path_);
}

}  // namespace golive
