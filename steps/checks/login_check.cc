// `login` check: log in, use the session on the protected page, and prove the page is refused
// without it (access control really holds). The session is kept for later `session:` checks.
#include "orchestrator/adapters/http/curl_http.h"
#include "steps/checks/checks.h"
#include "steps/checks/http_fields.h"

namespace golive {
namespace {

bool is_redirect(long status) {
  return status >= 300 && status < 400;
}

}  // namespace

CheckAttempt run_login_check(const LoginCheck& spec, const CheckEnv& env) {
  using check_util::failed;
  const std::string login_what = "POST " + display_url(spec.url);
  Millis total{0};

  HttpRequest login;
  login.method = "POST";
  login.url = spec.url;
  login.timeout = env.check.timeout;
  login.ca_file = spec.ca_file;
  login.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  login.body = form_encode({{spec.user_field, spec.user}, {spec.password_field, spec.password}});
  auto answer = http_fetch(login);
  if (!answer) {
    return failed(login_what + ": " + answer.error().message, !answer.error().tls_verification,
                  login.timeout);
  }
  total += answer->latency;
  if (answer->status >= 400) {
    return failed(login_what + ": expected the login to succeed (2xx or 3xx with a session " +
                      "cookie), got " + std::to_string(answer->status) +
                      ": the credentials were refused",
                  false, total);
  }

  std::vector<JarCookie> session;
  for (const auto& line : answer->cookies) {
    auto c = parse_cookie_jar_line(line);
    if (c && (spec.cookie.empty() || c->name == spec.cookie)) session.push_back(*c);
  }
  if (session.empty()) {
    return failed(login_what + ": expected a session cookie" +
                      (spec.cookie.empty() ? "" : " '" + spec.cookie + "'") +
                      ", got none (status " + std::to_string(answer->status) + ")",
                  false, total);
  }
  const bool https = spec.url.starts_with("https://");
  for (const auto& c : session) {
    if (!c.http_only) {
      return failed(login_what + ": session cookie '" + c.name +
                        "' lacks HttpOnly: scripts could steal the session",
                    false, total);
    }
    if (https && !c.secure) {
      return failed(login_what + ": session cookie '" + c.name +
                        "' lacks Secure: it would be sent over plain http",
                    false, total);
    }
  }

  if (!spec.then.empty()) {
    const std::string then_what = "GET " + display_url(spec.then);
    HttpRequest page;
    page.url = spec.then;
    page.timeout = env.check.timeout;
    page.ca_file = spec.ca_file;
    page.cookies = answer->cookies;
    auto with = http_fetch(page);
    if (!with) {
      return failed(then_what + " with the session: " + with.error().message,
                    !with.error().tls_verification, total + page.timeout);
    }
    total += with->latency;
    if (with->status < 200 || with->status >= 300) {
      std::string got = std::to_string(with->status);
      if (!with->redirect_url.empty())
        got += " (Location: " + display_url(with->redirect_url) + ")";
      return failed(then_what + " with the session: expected 2xx, got " + got, false, total);
    }

    page.cookies.clear();
    auto without = http_fetch(page);
    if (!without) {
      return failed(then_what + " without a session: " + without.error().message,
                    !without.error().tls_verification, total + page.timeout);
    }
    total += without->latency;
    const long s = without->status;
    const std::string login_path = url_path(spec.url);
    const bool refused = s == 401 || s == 403;
    const bool to_login = is_redirect(s) && !without->redirect_url.empty() &&
                          url_path(without->redirect_url) == login_path;
    if (!refused && !to_login) {
      std::string got = std::to_string(s);
      if (!without->redirect_url.empty()) {
        got += " (Location: " + display_url(without->redirect_url) + ")";
      }
      return failed(then_what + " without a session: expected 401, 403 or a redirect to " +
                        login_path + ", got " + got + ": access control does not hold",
                    false, total);
    }
  }

  env.sessions.put(env.check.name, env.check.host, answer->cookies);
  CheckAttempt a;
  a.passed = true;
  a.latency = total;
  return a;
}

}  // namespace golive
