// `access` check: the access-control matrix holds after the deploy (every rule's URL served to
// the sessions it allows and refused to every other one), so an IDOR or an admin route opened
// to customers fails the gate.
#include "steps/checks/access_matrix.h"
#include "steps/checks/checks.h"

namespace golive {

CheckAttempt run_access_check(const AccessCheck& spec, const CheckEnv& env) {
  const AccessOutcome o = evaluate_access(spec, env.check.timeout);
  std::string reason;
  for (const auto& e : o.errors) reason += (reason.empty() ? "" : "; ") + e;
  for (const auto& v : o.violations) {
    reason += (reason.empty() ? "" : "; ") + std::string("GET ") + v.url + " as '" + v.session +
              "': " + v.detail + (v.allowed ? "" : ": access control does not hold");
  }
  if (!reason.empty()) return check_util::failed("access matrix: " + reason, o.transport);
  CheckAttempt a;
  a.passed = true;
  a.detail = std::to_string(o.requests) + " requests, matrix holds";
  return a;
}

}  // namespace golive
