// `tls` check: the certificate is trusted for the host name (curl's verification) and is not
// about to expire (notAfter read from the peer certificate with OpenSSL).
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "orchestrator/adapters/http/curl_http.h"
#include "steps/checks/checks.h"

namespace golive {
namespace {

struct CertTimes {
  int days_left = 0;  // whole days until notAfter (toward zero)
  bool expired = false;
  std::string not_after;
  std::string subject;
};

std::optional<CertTimes> leaf_times(const std::vector<std::string>& chain_pem) {
  if (chain_pem.empty()) return std::nullopt;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(chain_pem.front().data(), static_cast<int>(chain_pem.front().size())),
      BIO_free);
  if (!bio) return std::nullopt;
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  if (!cert) return std::nullopt;
  CertTimes t;
  int days = 0;
  int secs = 0;
  // From now (nullptr) to notAfter.
  if (ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(cert.get())) != 1) {
    return std::nullopt;
  }
  t.days_left = days;
  t.expired = days < 0 || secs < 0;
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
  if (out && ASN1_TIME_print(out.get(), X509_get0_notAfter(cert.get())) == 1) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(out.get(), &data);
    t.not_after.assign(data, static_cast<std::size_t>(n));
  }
  if (char* s = X509_NAME_oneline(X509_get_subject_name(cert.get()), nullptr, 0)) {
    t.subject = s;
    OPENSSL_free(s);
  }
  return t;
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
