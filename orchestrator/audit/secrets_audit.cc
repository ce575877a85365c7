// Secrets and env: the environment's env checks (completeness, format, distinct from staging),
// and the secret inventory: each secret has an owner and a rotation date, rotated recently enough.
#include <algorithm>
#include <cstdio>

#include "orchestrator/audit/audit_checks.h"

namespace golive {
namespace {

// Days since a YYYY-MM-DD date, or nullopt when unreadable.
std::optional<long long> days_since(const std::string& date,
                                    std::chrono::system_clock::time_point now) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (std::sscanf(date.c_str(), "%d-%u-%u", &y, &m, &d) != 3) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  const auto then = std::chrono::sys_days{ymd};
  return std::chrono::duration_cast<std::chrono::days>(now - then).count();
}

bool is_secret(const AuditInput& in, const EnvRequirement& r) {
  if (r.secret) return true;
  if (in.env == nullptr) return false;
  return std::ranges::find(in.env->secret_names, r.name) != in.env->secret_names.end();
}

}  // namespace

void audit_secrets(const AuditInput& in, Probe&, RiskList& out) {
  for (const auto& e : in.env_errors) {
    out.add(Severity::kHigh, "secrets", "environment incomplete or invalid", e,
            "fix the value in the environment's env source (golive check " + in.environment +
                " shows every problem)");
  }
  if (in.runbook == nullptr) return;
  for (const auto& r : in.runbook->env.required) {
    if (!is_secret(in, r)) continue;
    if (r.owner.empty() || r.rotated.empty()) {
      out.add(Severity::kMedium, "secrets", "secret without owner or rotation date",
              r.name + ": " + (r.owner.empty() ? "no owner" : "owner " + r.owner) + ", " +
                  (r.rotated.empty() ? "never recorded as rotated" : "rotated " + r.rotated),
              "add `owner:`, `rotated: YYYY-MM-DD`, `scope:` and `stored_in:` to " + r.name +
                  " in env.required");
      continue;
    }
    const auto age = days_since(r.rotated, in.now);
    if (age && *age > in.launch.secret_max_age_days) {
      out.add(Severity::kMedium, "secrets", "secret not rotated recently",
              r.name + " was rotated " + r.rotated + " (" + std::to_string(*age) + " days ago)",
              "rotate " + r.name + " (owner: " + r.owner + ") and update `rotated:`; limit: " +
                  std::to_string(in.launch.secret_max_age_days) + " days");
    }
  }
}

}  // namespace golive
