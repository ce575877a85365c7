// Access control: the launch.access matrix (the same code as the `access` gate check). A session
// served a URL it is not allowed is critical (IDOR, admin route open to customers).
#include "orchestrator/audit/audit_checks.h"
#include "steps/checks/access_matrix.h"

namespace golive {

void audit_access(const AuditInput& in, Probe& probe, RiskList& out) {
  AccessCheck matrix = in.launch.access;
  if (matrix.rules.empty()) {
    out.add(Severity::kMedium, "access", "no access-control matrix",
            "launch.access has no rules: nobody proves customers cannot read each other's data",
            "declare sessions (guest, customer_a, customer_b, admin) and rules "
            "`{ url, allow: [...] }` in launch.access, and add `access: launch` to the checks");
    return;
  }
  if (matrix.ca_file.empty()) matrix.ca_file = in.launch.ca_file;
  const AccessOutcome o = evaluate_access(matrix, in.timeout);
  probe.charge(o.requests);
  for (const auto& e : o.errors) {
    out.add(Severity::kHigh, "access", "access matrix could not run fully", e,
            "fix the session's login (launch.access.sessions) so the matrix can be checked");
  }
  for (const auto& v : o.violations) {
    if (v.allowed) {
      out.add(Severity::kMedium, "access", "allowed session refused",
              "GET " + v.url + " as '" + v.session + "': " + v.detail,
              "either serve it to '" + v.session + "' or remove the session from the rule");
    } else {
      out.add(Severity::kCritical, "access", "unauthorized access",
              "GET " + v.url + " as '" + v.session + "': " + v.detail,
              "check ownership on the server for every request (the record's company must be "
              "the session's), answer 403/404 otherwise, and keep this rule in the gate "
              "(`access: launch`)");
    }
  }
}

}  // namespace golive
