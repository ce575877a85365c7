// `tls` check: the certificate is trusted for the host name (curl's verification) and is not
// about to expire (notAfter read from the peer certificate by the crypto adapter).
#include <memory>

#include "orchestrator/adapters/crypto/x509.h"
#include "orchestrator/adapters/http/curl_http.h"
#include "steps/checks/checks.h"

namespace golive {
namespace {

// The leaf (first) certificate's expiry; an error when the chain is empty or unreadable.
Result<CertificateExpiry> leaf_times(const std::vector<std::string>& chain_pem) {
  if (chain_pem.empty()) return fail("no peer certificate");
  return certificate_expiry(chain_pem.front());
}

}  // namespace

CheckAttempt run_tls_check(const TlsCheck& spec, const CheckEnv& env) {
  using check_util::failed;
  const std::string what = "TLS " + display_url(spec.url);
  if (!spec.url.starts_with("https://")) {
    return failed(what + ": url must be https://host[:port]");
  }
  auto peer = tls_probe(spec.url, spec.ca_file, true, env.check.timeout);
  if (!peer) {
    if (!peer.error().tls_verification) {
      return failed(what + ": " + peer.error().message, true, env.check.timeout);
    }
    // Not trusted: look at the certificate unverified, only to explain why precisely.
    std::string reason = what + ": certificate not trusted: " + peer.error().message;
    if (auto raw = tls_probe(spec.url, spec.ca_file, false, env.check.timeout)) {
      if (auto t = leaf_times(raw->chain_pem)) {
        reason +=
            " (" + t->subject + ", notAfter " + t->not_after +
            (t->expired ? ", expired" + (t->days_left < 0
                                             ? " " + std::to_string(-t->days_left) + " day(s) ago"
                                             : std::string())
                        : std::string()) +
            ")";
      }
    }
    return failed(reason);
  }
  auto t = leaf_times(peer->chain_pem);
  if (!t) {
    return failed(what + ": could not read the peer certificate's expiry", false, peer->latency);
  }
  if (t->expired || t->days_left <= spec.min_days) {
    return failed(what + ": certificate expires in " + std::to_string(t->days_left) +
                      " day(s) (notAfter " + t->not_after + "), expected more than " +
                      std::to_string(spec.min_days),
                  false, peer->latency);
  }
  CheckAttempt a;
  a.passed = true;
  a.latency = peer->latency;
  a.detail = "certificate valid for " + std::to_string(t->days_left) + " more days";
  return a;
}

}  // namespace golive
