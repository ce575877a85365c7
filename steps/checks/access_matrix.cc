#include "steps/checks/access_matrix.h"

#include <algorithm>
#include <map>

#include "orchestrator/adapters/http/curl_http.h"

namespace golive {
namespace {

bool is_refusal(const HttpResponse& r, const std::vector<std::string>& login_paths) {
  if (r.status == 401 || r.status == 403 || r.status == 404) return true;
  if (r.status >= 300 && r.status < 400 && !r.redirect_url.empty()) {
    const std::string to = url_path(r.redirect_url);
    return std::ranges::find(login_paths, to) != login_paths.end();
  }
  return false;
}

std::string describe_status(const HttpResponse& r) {
  std::string got = std::to_string(r.status);
  if (!r.redirect_url.empty()) got += " (Location: " + display_url(r.redirect_url) + ")";
  return got;
}

}  // namespace

LoginOutcome form_login(const std::string& url, const std::string& user_field,
                        const std::string& user, const std::string& password_field,
                        const std::string& password, const std::string& ca_file, Millis timeout) {
  LoginOutcome out;
  HttpRequest login;
  login.method = "POST";
  login.url = url;
  login.timeout = timeout;
  login.ca_file = ca_file;
  login.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  login.body = form_encode({{user_field, user}, {password_field, password}});
  auto answer = http_fetch(login);
  const std::string what = "POST " + display_url(url);
  if (!answer) {
    out.error = what + ": " + answer.error().message;
    out.transport = !answer.error().tls_verification;
    out.latency = timeout;
    return out;
  }
  out.latency = answer->latency;
  out.status = answer->status;
  out.cookies = std::move(answer->cookies);
  if (answer->status >= 400) {
    out.error = what + ": expected the login to succeed (2xx or 3xx with a session cookie), got " +
                std::to_string(answer->status) + ": the credentials were refused";
  } else if (out.cookies.empty()) {
    out.error = what + ": expected a session cookie, got none (status " +
                std::to_string(answer->status) + ")";
  }
  return out;
}

AccessOutcome evaluate_access(const AccessCheck& spec, Millis timeout) {
  AccessOutcome out;
  std::map<std::string, std::vector<std::string>> jars;  // session -> cookies
  std::vector<std::string> login_paths;
  for (const auto& s : spec.sessions) {
    if (s.url.empty()) {
      jars[s.name] = {};
      continue;
    }
    login_paths.push_back(url_path(s.url));
    ++out.requests;
    auto l = form_login(s.url, s.user_field, s.user, s.password_field, s.password, spec.ca_file,
                        timeout);
    if (!l.error.empty()) {
      out.errors.push_back("session '" + s.name + "': " + l.error);
      out.transport |= l.transport;
      continue;
    }
    jars[s.name] = std::move(l.cookies);
  }
  for (const auto& rule : spec.rules) {
    for (const auto& [name, cookies] : jars) {
      if (out.requests >= kAccessMaxRequests) {
        out.errors.push_back("the matrix was cut at " + std::to_string(kAccessMaxRequests) +
                             " requests");
        return out;
      }
      ++out.requests;
      HttpRequest req;
      req.url = rule.url;
      req.timeout = timeout;
      req.ca_file = spec.ca_file;
      req.cookies = cookies;
      auto r = http_fetch(req);
      if (!r) {
        out.errors.push_back("GET " + display_url(rule.url) + " as '" + name +
                             "': " + r.error().message);
        out.transport |= !r.error().tls_verification;
        continue;
      }
      const bool allowed = std::ranges::find(rule.allow, name) != rule.allow.end();
      const bool served = r->status >= 200 && r->status < 300;
      if (allowed && !served) {
        out.violations.push_back(
            {rule.url, name, true, r->status, "got " + describe_status(*r) + ", expected 2xx"});
      } else if (!allowed && !is_refusal(*r, login_paths)) {
        out.violations.push_back({rule.url, name, false, r->status,
                                  "got " + describe_status(*r) +
                                      ", expected 401, 403, 404 or a redirect to the login page"});
      }
    }
  }
  return out;
}

}  // namespace golive
