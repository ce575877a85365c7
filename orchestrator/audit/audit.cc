#include "orchestrator/audit/audit.h"

#include "orchestrator/audit/audit_checks.h"
#include "steps/checks/access_matrix.h"

namespace golive {

std::vector<std::string> first_session(const AuditInput& in, Probe& probe) {
  for (const auto& s : in.launch.access.sessions) {
    if (s.url.empty()) continue;
    probe.charge(1);
    auto l = form_login(s.url, s.user_field, s.user, s.password_field, s.password,
                        in.launch.ca_file, in.timeout);
    if (l.error.empty()) return l.cookies;
  }
  return {};
}

RiskList run_audit(const AuditInput& in) {
  RiskList out;
  if (!in.launch.present || in.launch.url.empty()) {
    out.add(Severity::kHigh, "launch", "no launch section",
            "environment `" + in.environment + "` has no launch.url",
            "add a `launch:` section with at least `url:` (the canonical https origin); see "
            "docs/launch-readiness.md");
    out.rank();
    return out;
  }
  Probe probe(in.launch.ca_file, in.timeout);
  audit_tls(in, probe, out);
  audit_redirects(in, probe, out);
  audit_headers(in, probe, out);
  audit_exposure(in, probe, out);
  audit_cache(in, probe, out);
  audit_email_dns(in, out);
  audit_access(in, probe, out);
  audit_auth(in, probe, out);
  audit_secrets(in, probe, out);
  audit_latency(in, probe, out);
  out.requests = probe.sent();
  out.rank();
  return out;
}

}  // namespace golive
