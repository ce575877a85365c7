// X.509 certificates (OpenSSL): the expiry facts the `tls` check judges.
#pragma once

#include <string>
#include <string_view>

#include "golive/error.h"

namespace golive {

// When a certificate stops being valid, seen from now.
struct CertificateExpiry {
  int days_left = 0;      // whole days until notAfter (toward zero); negative once expired
  bool expired = false;   // notAfter is in the past
  std::string not_after;  // as OpenSSL prints it: "Jun  1 12:00:00 2027 GMT"
  std::string subject;    // one-line distinguished name: "/CN=app.example"
};

// Expiry of the first certificate in `pem`; an error when it holds no readable certificate.
Result<CertificateExpiry> certificate_expiry(std::string_view pem);

}  // namespace golive
