// Headers: the canonical page sends CSP, nosniff, frame protection and a Referrer-Policy, does
// not advertise server versions, and does not combine a wildcard (or reflected) CORS origin with
// credentials; pages load no http:// subresources (mixed content).
#include "orchestrator/audit/audit_checks.h"
#include "orchestrator/audit/header_rules.h"

namespace golive {
namespace {

constexpr const char* kProbeOrigin = "https://golive-audit.invalid";

void check_security_headers(const std::string& url, const HttpResponse& r, RiskList& out) {
  const auto csp = r.header("Content-Security-Policy");
  if (!csp) {
    out.add(Severity::kMedium, "headers", "Content-Security-Policy missing",
            url + " sends no Content-Security-Policy",
            "send a CSP, starting with `default-src 'self'; frame-ancestors 'none'; "
            "object-src 'none'` and widening only what the pages need");
  }
  if (to_lower(r.header("X-Content-Type-Options").value_or("")) != "nosniff") {
    out.add(Severity::kLow, "headers", "X-Content-Type-Options nosniff missing",
            url + " sends no `X-Content-Type-Options: nosniff`",
            "add `X-Content-Type-Options: nosniff` to every response");
  }
  if (!(csp && csp_has_frame_ancestors(*csp)) && !r.header("X-Frame-Options")) {
    out.add(Severity::kMedium, "headers", "no frame protection (clickjacking)",
            url + " sets neither CSP frame-ancestors nor X-Frame-Options",
            "add `frame-ancestors 'none'` to the CSP (or `X-Frame-Options: DENY`)");
  }
  if (!r.header("Referrer-Policy")) {
    out.add(Severity::kLow, "headers", "Referrer-Policy missing", url + " sends no Referrer-Policy",
            "add `Referrer-Policy: strict-origin-when-cross-origin` (or stricter)");
  }
  for (const char* name : {"Server", "X-Powered-By"}) {
    if (auto v = r.header(name); v && leaks_version(*v)) {
      out.add(Severity::kLow, "headers", std::string(name) + " header leaks a version",
              url + ": " + name + ": " + *v,
              std::string("hide the version (nginx: `server_tokens off;`; drop ") + name +
                  " in the app or proxy)");
    }
  }
}

void check_cors(const std::string& url, Probe& probe, RiskList& out) {
  auto r = probe.get(url, {}, "GET", {{"Origin", kProbeOrigin}});
  if (!r) return;
  const std::string allow = r->header("Access-Control-Allow-Origin").value_or("");
  const bool creds = to_lower(r->header("Access-Control-Allow-Credentials").value_or("")) == "true";
  if (!creds || (allow != "*" && allow != kProbeOrigin)) return;
  out.add(Severity::kCritical, "headers", "CORS allows any origin with credentials",
          url + ": Access-Control-Allow-Origin: " + allow +
              " with Access-Control-Allow-Credentials: true (for Origin " + kProbeOrigin + ")",
          "allow credentials only for an explicit list of your own origins; never reflect the "
          "Origin header or use *");
}

void check_mixed(const std::string& url, const HttpResponse& r, RiskList& out) {
  const auto type = to_lower(r.header("Content-Type").value_or(""));
  if (type.find("html") == std::string::npos) return;
  const auto found = mixed_content(r.body, 5);
  if (found.empty()) return;
  bool active = false;
  std::string list;
  for (const auto& u : found) {
    list += (list.empty() ? "" : ", ") + u;
    active |= u.ends_with(".js") || u.find(".js?") != std::string::npos;
  }
  out.add(active ? Severity::kHigh : Severity::kMedium, "tls", "mixed content",
          url + " loads over plain http: " + list,
          "load every subresource over https (or protocol-relative to the page); add "
          "`upgrade-insecure-requests` to the CSP meanwhile");
}

}  // namespace

void audit_headers(const AuditInput& in, Probe& probe, RiskList& out) {
  auto r = probe.get(in.launch.url);
  if (!r) {
    out.add(Severity::kCritical, "headers", "canonical page unreachable",
            "GET " + in.launch.url + ": " + probe.error().message,
            "make the canonical url answer (every other check depends on it)");
    return;
  }
  check_security_headers(in.launch.url, *r, out);
  check_mixed(in.launch.url, *r, out);
  check_cors(in.launch.url, probe, out);
  if (in.launch.private_urls.empty()) return;
  const auto cookies = first_session(in, probe);
  for (const auto& url : in.launch.private_urls) {
    if (auto p = probe.get(url, cookies)) {
      check_mixed(url, *p, out);
    }
  }
}

}  // namespace golive
