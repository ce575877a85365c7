#include "orchestrator/release/ci_report.h"

#include <map>

namespace golive {
namespace {

CheckResult check_of(const CheckRecord& r) {
  CheckResult c;
  c.name = r.check;
  c.host = r.host;
  c.passed = r.passed;
  c.attempts = r.attempts;
  c.p50 = Millis(r.p50_ms);
  c.p95 = Millis(r.p95_ms);
  c.reason = r.reason;
  return c;
}

// One host's line from its recorded steps: where it failed, whether it switched and came back.
CiHostRow host_row(const std::string& host, const std::string& from, const std::string& release,
                   const std::string& restored, const std::string& outcome,
                   const std::vector<StepRunRecord>& steps) {
  CiHostRow row{host, from, from, "untouched"};
  bool ran = false, switched = false, rolled_back = false;
  std::string failed_at;
  for (const auto& s : steps) {
    if (s.host != host) continue;
    if (is(s.phase, Phase::kDeploy)) {
      ran = true;
      if (s.outcome != "ok" && s.outcome != "skipped" && failed_at.empty()) failed_at = s.step;
      if (s.step == "switch" && s.outcome == "ok") switched = true;
    } else if (is(s.phase, Phase::kRollback)) {
      rolled_back = true;
    }
  }
  if (!ran) return row;
  if (is(outcome, ReleaseStatus::kSucceeded)) {
    row.to = release;
    row.status = "switched";
  } else if (!failed_at.empty()) {
    row.status = "failed at " + failed_at;
  } else {
    row.status = switched ? "switched" : "stopped before switch";
  }
  if (!is(outcome, ReleaseStatus::kSucceeded) && rolled_back) {
    row.status += switched ? ", rolled back" : ", cleaned up";
    if (switched && !restored.empty()) row.to = restored;
  }
  if (is(outcome, ReleaseStatus::kRollbackFailed) && switched) row.to = "?";
  return row;
}

}  // namespace

std::string ci_outcome(ReleaseStatus status, int exit_code) {
  if (status == ReleaseStatus::kSucceeded || status == ReleaseStatus::kRolledBack ||
      status == ReleaseStatus::kRollbackFailed || status == ReleaseStatus::kBlocked) {
    return str(status);
  }
  // interrupted, restored and verified
  if (exit_code == 1) return str(ReleaseStatus::kRolledBack);
  if (exit_code == 4) return str(ReleaseStatus::kRollbackFailed);
  return str(ReleaseStatus::kFailed);
}

void publish_deploy_to_ci(AppContext& app, Ledger* ledger, const DeployEnding& e) {
  if (!app.ci || app.ci->provider() != CiProvider::kGitHub) return;
  CiReport r;
  r.outcome = ci_outcome(e.status, e.exit_code);
  r.exit_code = e.exit_code;
  r.release_id = e.release_id;
  r.environment = e.environment;
  r.commit = e.commit;
  r.subject = e.subject;
  r.deployer = e.deployer;
  r.why = e.why;
  r.previous_release = e.previous.empty() ? "" : e.previous[0];
  ReleaseDetail detail;
  if (ledger != nullptr && !e.release_id.empty()) {
    if (auto d = ledger->show(e.release_id)) detail = std::move(*d);
  }
  r.ci_url = detail.release.ci_url;
  if (!detail.release.previous_release.empty())
    r.previous_release = detail.release.previous_release;
  for (std::size_t i = 0; i < e.hosts.size(); ++i) {
    r.hosts.push_back(host_row(e.hosts[i], i < e.previous.size() ? e.previous[i] : "", e.release_id,
                               e.rollback_target, r.outcome, detail.steps));
  }
  for (const auto& c : detail.checks) {
    if (is(c.phase, Phase::kGate)) r.gate.push_back(check_of(c));
    if (is(c.phase, Phase::kVerify)) r.verify.push_back(check_of(c));
  }
  for (const auto& ev : detail.events) {
    if (is(ev.kind, EventKind::kRollbackStarted)) r.rollback_ran = true;
  }
  if (r.rollback_ran) {
    r.rollback_outcome = is(r.outcome, ReleaseStatus::kRollbackFailed)
                             ? "Rollback FAILED: a human must act"
                             : (r.verify.empty() ? "Rolled back (no host had switched)"
                                                 : "Restored the previous release and verified it");
    r.time_to_restore_ms = detail.release.time_to_restore_ms;
  }
  app.ci->publish(r);
}

}  // namespace golive
