#include "orchestrator/adapters/crypto/x509.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace golive {

Result<CertificateExpiry> certificate_expiry(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (!bio) return fail("out of memory reading a certificate");
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  if (!cert) return fail("not a PEM certificate");
  CertificateExpiry t;
  int days = 0;
  int secs = 0;
  // From now (nullptr) to notAfter.
  if (ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(cert.get())) != 1) {
    return fail("the certificate's notAfter is not a valid time");
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

}  // namespace golive
