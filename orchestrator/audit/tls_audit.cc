// TLS: the canonical origin's certificate chains to the trusted roots (or launch.ca_file), names
// the host, and is not about to expire (critical under 7 days, high under 21).
#include "orchestrator/adapters/crypto/x509.h"
#include "orchestrator/audit/audit_checks.h"

namespace golive {
namespace {

constexpr int kCriticalDays = 7;
constexpr int kHighDays = 21;

void judge_expiry(const std::string& url, const CertificateExpiry& t, RiskList& out) {
  const std::string seen = url + ": certificate " + t.subject + " expires in " +
                           std::to_string(t.days_left) + " day(s) (notAfter " + t.not_after + ")";
  const std::string fix =
      "renew the certificate now and automate renewal (e.g. certbot/ACME timer); name who owns "
      "renewal in launch.owners.ssl";
  if (t.expired || t.days_left < kCriticalDays) {
    out.add(Severity::kCritical, "tls", "certificate expires within 7 days", seen, fix);
  } else if (t.days_left < kHighDays) {
    out.add(Severity::kHigh, "tls", "certificate expires within 21 days", seen, fix);
  }
}

}  // namespace

void audit_tls(const AuditInput& in, Probe& probe, RiskList& out) {
  if (!in.launch.url.starts_with("https://")) {
    out.add(Severity::kCritical, "tls", "site not served over HTTPS",
            "launch.url is " + in.launch.url,
            "serve the portal over https with a certificate from a public CA (e.g. Let's "
            "Encrypt) and set launch.url to the https origin");
    return;
  }
  std::vector<std::string> origins{url_origin(in.launch.url)};
  for (const auto& a : in.launch.aliases) {
    if (a.starts_with("https://")) origins.push_back(url_origin(a));
  }
  for (const auto& origin : origins) {
    probe.charge(1);
    auto peer = tls_probe(origin, in.launch.ca_file, true, in.timeout);
    if (!peer) {
      if (!peer.error().tls_verification) {
        out.add(Severity::kCritical, "tls", "HTTPS unreachable",
                origin + ": " + peer.error().message,
                "serve HTTPS (TLS 1.2 or newer) on this origin; golive's client refuses older "
                "protocols");
        continue;
      }
      out.add(Severity::kCritical, "tls", "certificate not trusted",
              origin + ": " + peer.error().message,
              "install a certificate for this host name signed by a public CA (or name the "
              "private CA in launch.ca_file), with the full chain");
      continue;
    }
    if (peer->chain_pem.empty()) continue;
    if (auto t = certificate_expiry(peer->chain_pem.front())) judge_expiry(origin, *t, out);
  }
}

}  // namespace golive
