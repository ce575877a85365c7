#include "tests/harness/test_certs.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "tests/harness/python_server.h"
#include "tests/harness/scoped_temp_dir.h"

namespace golive::testing {
namespace {

// Made in-process with libcrypto: an openssl CLI run per file costs seconds on a loaded machine.
using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test certificate generation failed: ") + what);
}

Key new_key() {
  Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free);
  check(key != nullptr, "EC key");
  return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr && X509_add_ext(cert, ext, -1) == 1, value);
  X509_EXTENSION_free(ext);
}

// A certificate for `cn` valid from now+from_days to now+to_days, signed by issuer (or itself).
Cert make_cert(const std::string& cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
               long from_days, long to_days, const char* san) {
  static long serial = 1;
  Cert cert(X509_new(), X509_free);
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), from_days * 86400);
  // An hour short of whole days, so "days left" never depends on the second a test runs in.
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), to_days * 86400 - 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (san == nullptr) {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
  } else {
    add_ext(cert.get(), signer, NID_basic_constraints, "CA:FALSE");
    add_ext(cert.get(), signer, NID_subject_alt_name, san);
  }
  check(X509_sign(cert.get(), issuer_key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

void write_cert(const std::string& path, X509* cert) {
  std::unique_ptr<FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "w"), std::fclose);
  check(f != nullptr && PEM_write_X509(f.get(), cert) == 1, path.c_str());
}

void write_key(const std::string& path, EVP_PKEY* key) {
  std::unique_ptr<FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "w"), std::fclose);
  check(f != nullptr &&
            PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        path.c_str());
}

}  // namespace

TestCerts make_test_certs(const std::string& dir) {
  Key ca_key = new_key();
  Cert ca = make_cert("golive-test-ca", ca_key.get(), nullptr, ca_key.get(), -1, 60, nullptr);
  Key key = new_key();
  const char* local_names = "IP:127.0.0.1,DNS:localhost";
  Cert good = make_cert("good", key.get(), ca.get(), ca_key.get(), -1, 30, local_names);
  Cert expired = make_cert("expired", key.get(), ca.get(), ca_key.get(), -10, -1, local_names);
  Cert wrong = make_cert("wrong", key.get(), ca.get(), ca_key.get(), -1, 30, "DNS:other.example");
  Cert expiring = make_cert("expiring", key.get(), ca.get(), ca_key.get(), -1, 5, local_names);

  TestCerts t{dir + "/ca.crt",    dir + "/good.crt",   dir + "/server.key",  dir + "/expired.crt",
              dir + "/wrong.crt", dir + "/server.key", dir + "/expiring.crt"};
  write_cert(t.ca, ca.get());
  write_cert(t.good_cert, good.get());
  write_cert(t.expired_cert, expired.get());
  write_cert(t.wrong_name_cert, wrong.get());
  write_cert(t.expiring_cert, expiring.get());
  write_key(t.key, key.get());
  return t;
}

const TestCerts& shared_test_certs() {
  static testing::ScopedTempDir dir;
  static const TestCerts certs = make_test_certs(dir.path());
  return certs;
}

}  // namespace golive::testing
