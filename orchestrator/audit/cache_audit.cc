// Cache and edge: private pages are never storable by a shared cache nor served from one (the
// gate's private_cache check, run once per page with the first access session), static assets
// are cacheable, and a CDN is in front (from its response headers) or reported missing.
#include <cstdlib>

#include "orchestrator/audit/audit_checks.h"
#include "orchestrator/audit/header_rules.h"
#include "steps/checks/checks.h"

namespace golive {
namespace {

// The audit runs no commands: a LocalProcess that refuses, for the CheckEnv the check wants.
class NoLocalProcess final : public LocalProcess {
 public:
  Result<ExecResult> run(const LocalRequest&) override {
    return fail("golive audit runs no local commands");
  }
};

// CDN names by a response header each sets.
const std::pair<const char*, const char*> kCdnHeaders[] = {
    {"CF-Ray", "Cloudflare"},           {"X-Amz-Cf-Id", "CloudFront"},
    {"X-Served-By", "Fastly"},          {"X-Fastly-Request-ID", "Fastly"},
    {"X-Akamai-Transformed", "Akamai"}, {"X-Azure-Ref", "Azure Front Door"},
    {"X-Vercel-Cache", "Vercel"},       {"X-Nf-Request-Id", "Netlify"},
    {"X-Cache", "a caching proxy"},     {"Via", "a proxy"},
};

void check_private(const AuditInput& in, Probe& probe, RiskList& out) {
  const auto cookies = first_session(in, probe);
  SessionStore sessions;
  sessions.put("audit", "", cookies);
  NoLocalProcess local;
  const std::map<std::string, RemoteHost*> hosts;
  for (const auto& url : in.launch.private_urls) {
    PrivateCacheCheck spec;
    spec.url = url;
    spec.session = "audit";
    spec.ca_file = in.launch.ca_file;
    RenderedCheck rc{"private_cache", "", spec, in.timeout};
    probe.charge(1);
    const CheckAttempt a = run_private_cache_check(spec, CheckEnv{rc, sessions, hosts, local});
    if (a.passed || a.transport_error) continue;
    const bool served = a.reason.find("served this private page") != std::string::npos;
    if (a.reason.find("expected 2xx") != std::string::npos) {
      out.add(Severity::kMedium, "cache", "private page not reachable with a session", a.reason,
              "check launch.private_urls and the access sessions' logins");
      continue;
    }
    out.add(served ? Severity::kCritical : Severity::kHigh, "cache",
            served ? "private page served from a shared cache" : "private page is cacheable",
            a.reason,
            "send `Cache-Control: private, no-store` on every page that needs a session (and "
            "`Vary: Cookie`); bypass the CDN cache for logged-in requests");
  }
}

void check_static(const AuditInput& in, Probe& probe, RiskList& out) {
  for (const auto& url : in.launch.static_urls) {
    auto r = probe.get(url, {}, "HEAD");
    if (!r || r->status < 200 || r->status >= 300) continue;
    const std::string cc = header_values(*r, "Cache-Control");
    long long age = 0;
    for (const auto& [k, v] : cache_directives(cc)) {
      if (k == "max-age") age = std::atoll(v.c_str());
    }
    if (age < 86400 || cc.find("no-store") != std::string::npos) {
      out.add(Severity::kLow, "cache", "static asset not cacheable",
              url + ": Cache-Control: " + (cc.empty() ? "(none)" : cc),
              "serve fingerprinted assets with `Cache-Control: public, max-age=31536000, "
              "immutable`");
    }
  }
}

}  // namespace

void audit_cache(const AuditInput& in, Probe& probe, RiskList& out) {
  check_private(in, probe, out);
  check_static(in, probe, out);
  auto r = probe.get(in.launch.url, {}, "HEAD");
  if (!r) return;
  for (const auto& [header, name] : kCdnHeaders) {
    if (r->header(header)) return;
  }
  out.add(
      Severity::kLow, "cache", "no CDN detected",
      in.launch.url + " shows no CDN response header (CF-Ray, X-Amz-Cf-Id, X-Served-By, Via...)",
      "put a CDN in front for TLS termination, DDoS absorption and static caching, with "
      "logged-in requests bypassing its cache");
}

}  // namespace golive
