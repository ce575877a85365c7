// Auth basics: the login form posts over https and sets its session cookie Secure, HttpOnly and
// SameSite; the password reset does not tell a known address from an unknown one. At most 3
// requests (one login, two resets).
#include "orchestrator/audit/audit_checks.h"
#include "orchestrator/audit/header_rules.h"

namespace golive {
namespace {

const AccessSession* first_login(const LaunchSpec& l) {
  for (const auto& s : l.access.sessions) {
    if (!s.url.empty()) return &s;
  }
  return nullptr;
}

void check_cookies(const std::string& url, const HttpResponse& r, RiskList& out) {
  for (const auto& h : r.headers) {
    if (to_lower(h.name) != "set-cookie") continue;
    const SetCookie c = parse_set_cookie(h.value);
    const std::string seen = "POST " + url + " sets cookie '" + c.name + "'";
    if (!c.secure) {
      out.add(Severity::kHigh, "auth", "session cookie without Secure",
              seen + " without Secure: it is sent over plain http",
              "set the Secure attribute on the session cookie");
    }
    if (!c.http_only) {
      out.add(Severity::kHigh, "auth", "session cookie without HttpOnly",
              seen + " without HttpOnly: any injected script can read it",
              "set the HttpOnly attribute on the session cookie");
    }
    if (c.same_site.empty() || c.same_site == "none") {
      out.add(Severity::kMedium, "auth", "session cookie without SameSite",
              seen + (c.same_site.empty() ? " without SameSite" : " with SameSite=None"),
              "set `SameSite=Lax` (or Strict) on the session cookie");
    }
  }
}

void check_reset(const LaunchAuth& a, Probe& probe, RiskList& out) {
  if (a.reset_url.empty() || a.known_email.empty()) {
    out.notes.push_back("password reset not checked: set launch.auth.reset_url and known_email");
    return;
  }
  auto known = probe.post_form(a.reset_url, {{a.email_field, a.known_email}});
  auto unknown =
      probe.post_form(a.reset_url, {{a.email_field, "golive-audit-nobody@example.invalid"}});
  if (!known || !unknown) return;
  if (known->status >= 400 && known->status != 429) {
    out.add(Severity::kMedium, "auth", "password reset endpoint fails",
            "POST " + a.reset_url + " answered " + std::to_string(known->status),
            "serve a password reset at launch.auth.reset_url");
    return;
  }
  if (known->status != unknown->status || known->body != unknown->body) {
    out.add(Severity::kMedium, "auth", "password reset reveals which accounts exist",
            "POST " + a.reset_url + " answers " + std::to_string(known->status) +
                " for a known address and " + std::to_string(unknown->status) +
                " (different text) for an unknown one",
            "answer every reset request with the same status and text (\"if an account exists, "
            "we sent an email\") and rate-limit it per address and IP");
  }
}

}  // namespace

void audit_auth(const AuditInput& in, Probe& probe, RiskList& out) {
  const AccessSession* s = first_login(in.launch);
  std::string login_url = in.launch.auth.login_url;
  if (login_url.empty() && s != nullptr) login_url = s->url;
  if (!login_url.empty() && !login_url.starts_with("https://")) {
    out.add(Severity::kCritical, "auth", "login over plain http",
            login_url + " is not https: passwords cross the network readable",
            "serve the login form and its POST target over https only");
  }
  if (s != nullptr) {
    if (auto r =
            probe.post_form(s->url, {{s->user_field, s->user}, {s->password_field, s->password}})) {
      check_cookies(s->url, *r, out);
    }
  } else {
    out.notes.push_back("session cookies not checked: no login session in launch.access");
  }
  check_reset(in.launch.auth, probe, out);
}

}  // namespace golive
