// Test support: a throwaway CA and server certificates, made with OpenSSL libcrypto.
#pragma once

#include <string>

namespace golive::testing {

// Files under `dir`: a CA, and certificates it signed for 127.0.0.1/localhost.
struct TestCerts {
  std::string ca;         // ca.crt: the trust anchor tests pass as ca_file
  std::string good_cert;  // valid 30 days, SAN IP:127.0.0.1, DNS:localhost
  std::string good_key;
  std::string expired_cert;     // same names, notAfter in the past
  std::string wrong_name_cert;  // valid, but only for DNS:other.example
  std::string key;              // key of expired_cert, wrong_name_cert and expiring_cert
  std::string expiring_cert;    // same names, valid but only for 5 more days
};

// Generates the certificates (EC P-256, in-process); throws std::runtime_error on failure.
TestCerts make_test_certs(const std::string& dir);

// One set per test process, made on first use in a temp dir removed at exit.
const TestCerts& shared_test_certs();

}  // namespace golive::testing
