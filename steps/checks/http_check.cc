// `http` check: one request, then every expectation on the answer.

#include <algorithm>

#include "orchestrator/adapters/http/curl_http.h"
#include "orchestrator/adapters/regex/regex.h"
#include "steps/checks/checks.h"

namespace golive {
namespace {

std::string status_list(const std::vector<int>& status) {
  std::string out;
  for (std::size_t i = 0; i < status.size(); ++i) {
    if (i > 0) out += i + 1 == status.size() ? " or " : ", ";
    out += std::to_string(status[i]);
  }
  return out;
}

std::string got_status(const HttpResponse& r) {
  std::string out = std::to_string(r.status);
  if (!r.redirect_url.empty()) out += " (Location: " + display_url(r.redirect_url) + ")";
  return out;
}

// A header value fit for a reason: cookies and credentials are never repeated.
std::string shown(const std::string& name, const std::string& value) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "set-cookie" || lower == "cookie" || lower == "authorization" ||
      lower == "proxy-authorization") {
    return "[hidden]";
  }
  return "'" + value + "'";
}

}  // namespace

CheckAttempt run_http_check(const HttpCheck& spec, const CheckEnv& env) {
  using check_util::failed;
  const std::string what = spec.method + " " + display_url(spec.url);

  CheckAttempt no_session;
  auto cookies = check_util::session_for(spec.session, env, what, no_session);
  if (!cookies) return no_session;

  HttpRequest req;
  req.method = spec.method;
  req.url = spec.url;
  req.follow = spec.follow;
  req.timeout = env.check.timeout;
  req.ca_file = spec.ca_file;
  req.insecure = spec.insecure;
  req.cookies = std::move(*cookies);
  for (const auto& h : spec.headers) req.headers.emplace_back(h);
  auto has_header = [&req](std::string_view name) {
    return std::any_of(req.headers.begin(), req.headers.end(), [name](const auto& h) {
      return std::equal(h.first.begin(), h.first.end(), name.begin(), name.end(),
                        [](char a, char b) { return std::tolower(a) == std::tolower(b); });
    });
  };
  if (!spec.json.empty()) {
    req.body = spec.json;
    if (!has_header("Content-Type")) req.headers.emplace_back("Content-Type", "application/json");
  } else if (!spec.form.empty()) {
    req.body = form_encode({spec.form.begin(), spec.form.end()});
    if (!has_header("Content-Type")) {
      req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
  } else if (!spec.body.empty()) {
    req.body = spec.body;
  }

  auto response = http_fetch(req);
  if (!response) {
    return failed(what + ": " + response.error().message, !response.error().tls_verification,
                  req.timeout);
  }
  const HttpResponse& r = *response;

  std::vector<std::string> problems;
  if (std::find(spec.status.begin(), spec.status.end(), r.status) == spec.status.end()) {
    problems.push_back("expected status " + status_list(spec.status) + ", got " + got_status(r));
  }
  for (const auto& [name, pattern] : spec.header_match) {
    auto re = Regex::compile(pattern);
    auto value = r.header(name);
    if (!re) {
      problems.push_back("header_match " + name + ": invalid regex /" + pattern +
                         "/: " + re.error().message);
    } else if (!value) {
      problems.push_back("expected header " + name + " matching /" + pattern + "/, got none");
    } else if (!re->partial_match(*value)) {
      problems.push_back("header " + name + " is " + shown(name, *value) + ", expected to match /" +
                         pattern + "/");
    }
  }
  for (const auto& name : spec.header_absent) {
    if (auto value = r.header(name)) {
      problems.push_back("header " + name + " must be absent, got " + shown(name, *value));
    }
  }
  if (!spec.body_contains.empty() && r.body.find(spec.body_contains) == std::string::npos) {
    problems.push_back("expected body to contain '" + spec.body_contains + "', got " +
                       check_util::snippet(r.body));
  }
  if (!spec.body_regex.empty()) {
    auto re = Regex::compile(spec.body_regex);
    if (!re) {
      problems.push_back("body_regex: invalid regex /" + spec.body_regex +
                         "/: " + re.error().message);
    } else if (!re->partial_match(r.body)) {
      problems.push_back("expected body to match /" + spec.body_regex + "/, got " +
                         check_util::snippet(r.body));
    }
  }
  if (spec.max_latency && r.latency > *spec.max_latency) {
    problems.push_back("expected an answer within " + check_util::millis(*spec.max_latency) +
                       ", took " + check_util::millis(r.latency));
  }

  CheckAttempt a;
  a.latency = r.latency;
  a.passed = problems.empty();
  if (!a.passed) {
    a.reason = what + ": ";
    for (std::size_t i = 0; i < problems.size(); ++i) a.reason += (i > 0 ? "; " : "") + problems[i];
  }
  return a;
}

}  // namespace golive
