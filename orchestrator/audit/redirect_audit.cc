// Redirects: plain http answers with a redirect to https on every origin, HSTS is on with
// max-age >= 6 months, aliases reach the canonical origin in one permanent hop, and the declared
// redirect map holds.
#include "orchestrator/audit/audit_checks.h"
#include "orchestrator/audit/header_rules.h"

namespace golive {
namespace {

constexpr long long kHstsMinAge = 15552000;  // 180 days

std::string http_url_of(const std::string& origin, int http_port) {
  std::string host = url_authority(origin);
  if (const auto colon = host.rfind(':'); colon != std::string::npos && host.back() != ']') {
    host = host.substr(0, colon);
  }
  return "http://" + host + (http_port == 80 ? "" : ":" + std::to_string(http_port)) + "/";
}

bool permanent(long status) {
  return status == 301 || status == 308;
}

void check_http_redirect(const std::string& origin, const AuditInput& in, Probe& probe,
                         RiskList& out) {
  const std::string url = http_url_of(origin, in.launch.http_port);
  auto r = probe.get(url);
  if (!r) return;  // nothing listens on plain http: nothing to downgrade to
  if (r->status >= 300 && r->status < 400 && r->redirect_url.starts_with("https://")) return;
  out.add(Severity::kHigh, "tls", "plain HTTP does not redirect to HTTPS",
          "GET " + url + " answered " + std::to_string(r->status) +
              (r->redirect_url.empty() ? "" : " -> " + r->redirect_url),
          "answer every http:// request with 301 to the https:// URL (same host and path)");
}

void check_hsts(const std::string& url, Probe& probe, RiskList& out) {
  auto r = probe.get(url);
  if (!r) return;
  const auto value = r->header("Strict-Transport-Security");
  if (!value) {
    out.add(Severity::kHigh, "tls", "HSTS missing",
            url + " sends no Strict-Transport-Security header",
            "add `Strict-Transport-Security: max-age=31536000; includeSubDomains` on every "
            "HTTPS response");
    return;
  }
  const auto age = hsts_max_age(*value);
  if (!age || *age < kHstsMinAge) {
    out.add(Severity::kMedium, "tls", "HSTS max-age under 6 months",
            url + ": Strict-Transport-Security: " + *value,
            "raise max-age to at least 15552000 (180 days), e.g. max-age=31536000");
  }
}

void check_alias(const std::string& alias, const AuditInput& in, Probe& probe, RiskList& out) {
  if (!alias.starts_with("https://")) return;
  auto r = probe.get(alias);
  if (!r) return;
  const std::string canonical = url_origin(in.launch.url);
  if (permanent(r->status) && url_origin(r->redirect_url) == canonical) return;
  out.add(Severity::kMedium, "tls", "alias does not redirect to the canonical host",
          "GET " + alias + " answered " + std::to_string(r->status) +
              (r->redirect_url.empty() ? "" : " -> " + r->redirect_url),
          "answer every request on " + url_origin(alias) + " with one 301 (or 308) to " +
              canonical + " and the same path");
}

void check_map(const LaunchRedirect& m, Probe& probe, RiskList& out) {
  auto r = probe.get(m.from);
  if (!r) {
    out.add(Severity::kMedium, "tls", "redirect map entry unreachable",
            "GET " + m.from + ": " + probe.error().message,
            "serve the redirect " + m.from + " -> " + m.to);
    return;
  }
  if (r->status == m.status && r->redirect_url == m.to) return;
  out.add(
      Severity::kMedium, "tls", "redirect map does not hold",
      "GET " + m.from + " answered " + std::to_string(r->status) +
          (r->redirect_url.empty() ? "" : " -> " + r->redirect_url) + ", expected " +
          std::to_string(m.status) + " -> " + m.to,
      "configure " + m.from + " to answer " + std::to_string(m.status) + " with Location " + m.to);
}

}  // namespace

void audit_redirects(const AuditInput& in, Probe& probe, RiskList& out) {
  check_http_redirect(url_origin(in.launch.url), in, probe, out);
  for (const auto& a : in.launch.aliases) {
    if (url_authority(a) != url_authority(in.launch.url)) {
      check_http_redirect(url_origin(a), in, probe, out);
    }
    check_alias(a, in, probe, out);
  }
  if (in.launch.url.starts_with("https://")) check_hsts(in.launch.url, probe, out);
  for (const auto& m : in.launch.redirects) check_map(m, probe, out);
}

}  // namespace golive
