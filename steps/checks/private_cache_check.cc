// `private_cache` check: a logged-in page must never be stored or served by a shared cache (a CDN
// handing one user's dashboard to another), while static assets must stay cacheable.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "orchestrator/adapters/http/curl_http.h"
#include "steps/checks/checks.h"
#include "steps/checks/http_fields.h"

namespace golive {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Every value of a header, comma-joined as RFC 9110 allows for list headers.
std::string joined(const HttpResponse& r, std::string_view name) {
  std::string out;
  for (const auto& h : r.headers) {
    if (lower(h.name) == lower(name)) out += (out.empty() ? "" : ", ") + h.value;
  }
  return out;
}

std::optional<long long> to_int(std::string_view s) {
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool is_hit(std::string_view value) {
  return lower(value).find("hit") != std::string::npos;
}

// Problems with a static asset's cacheability; empty when it is cacheable long enough.
std::optional<std::string> static_problem(const std::string& url, const PrivateCacheCheck& spec,
                                          const CheckEnv& env, Millis& latency, bool& transport) {
  const std::string what = "GET " + display_url(url);
  HttpRequest req;
  req.url = url;
  req.timeout = env.check.timeout;
  req.ca_file = spec.ca_file;
  auto r = http_fetch(req);
  if (!r) {
    transport = !r.error().tls_verification;
    return what + ": " + r.error().message;
  }
  latency += r->latency;
  if (r->status < 200 || r->status >= 300) {
    return what + ": expected 2xx for a static asset, got " + std::to_string(r->status);
  }
  const std::string cc = joined(*r, "Cache-Control");
  const auto d = header_directives(cc);
  const long long min_age =
      std::chrono::duration_cast<std::chrono::seconds>(spec.static_min_max_age).count();
  for (const char* bad : {"no-store", "no-cache", "private"}) {
    if (find_directive(d, bad)) {
      return what + ": Cache-Control is '" + cc +
             "': static assets must be cacheable (max-age >= " + std::to_string(min_age) + ")";
    }
  }
  const std::string* max_age = find_directive(d, "max-age");
  const auto age = max_age ? to_int(*max_age) : std::nullopt;
  if (!age || *age < min_age) {
    return what + ": expected Cache-Control max-age >= " + std::to_string(min_age) + ", got " +
           (cc.empty() ? std::string("no Cache-Control") : "'" + cc + "'");
  }
  return std::nullopt;
}

}  // namespace

CheckAttempt run_private_cache_check(const PrivateCacheCheck& spec, const CheckEnv& env) {
  using check_util::failed;
  const std::string what = "GET " + display_url(spec.url);
  CheckAttempt no_session;
  auto cookies = check_util::session_for(spec.session, env, what, no_session);
  if (!cookies) return no_session;

  HttpRequest req;
  req.url = spec.url;
  req.timeout = env.check.timeout;
  req.ca_file = spec.ca_file;
  req.cookies = std::move(*cookies);
  auto r = http_fetch(req);
  if (!r) return failed(what + ": " + r.error().message, !r.error().tls_verification, req.timeout);
  Millis latency = r->latency;
  if (r->status < 200 || r->status >= 300) {
    std::string got = std::to_string(r->status);
    if (!r->redirect_url.empty()) got += " (Location: " + display_url(r->redirect_url) + ")";
    return failed(what + ": expected 2xx for the private page" +
                      (spec.session.empty() ? "" : " with session '" + spec.session + "'") +
                      ", got " + got,
                  false, latency);
  }

  std::vector<std::string> problems;
  CheckAttempt a;
  const std::string cc = joined(*r, "Cache-Control");
  const auto d = header_directives(cc);
  const bool no_store = find_directive(d, "no-store") != nullptr;
  if (cc.empty()) {
    problems.push_back("Cache-Control is missing: private pages must be private or no-store");
  } else if (find_directive(d, "public") || (!find_directive(d, "private") && !no_store)) {
    problems.push_back("Cache-Control is '" + cc + "': private pages must be private or no-store");
  } else if (find_directive(d, "s-maxage")) {
    problems.push_back("Cache-Control is '" + cc +
                       "': s-maxage lets shared caches store a private page");
  }
  if (auto age = r->header("Age"); age && to_int(trim(*age)).value_or(1) > 0) {
    problems.push_back("Age is '" + *age + "': a shared cache served this private page");
  }
  if (auto hit = r->header("CF-Cache-Status"); hit && is_hit(*hit)) {
    problems.push_back("CF-Cache-Status is '" + *hit + "': Cloudflare served this private page");
  }
  if (auto hit = r->header("X-Cache"); hit && is_hit(*hit)) {
    problems.push_back("X-Cache is '" + *hit + "': a shared cache served this private page");
  }
  if (!no_store) {
    const auto vary = header_directives(joined(*r, "Vary"));
    if (!find_directive(vary, "cookie") && !find_directive(vary, "*")) {
      a.warnings.push_back(what + ": Vary lacks Cookie on a cacheable private page");
    }
  }
  if (!problems.empty()) {
    std::string reason = what + ": ";
    for (std::size_t i = 0; i < problems.size(); ++i) reason += (i > 0 ? "; " : "") + problems[i];
    auto f = failed(reason, false, latency);
    f.warnings = std::move(a.warnings);
    return f;
  }

  for (const auto& url : spec.static_urls) {
    bool transport = false;
    if (auto problem = static_problem(url, spec, env, latency, transport)) {
      auto f = failed(*problem, transport, latency);
      f.warnings = std::move(a.warnings);
      return f;
    }
  }
  a.passed = true;
  a.latency = latency;
  return a;
}

}  // namespace golive
