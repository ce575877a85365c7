#include "orchestrator/adapters/crypto/x509.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/harness/test_certs.h"

namespace golive {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(CertificateExpiry, ReadsDaysLeftNotAfterAndSubject) {
  auto t = certificate_expiry(slurp(testing::shared_test_certs().good_cert));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->days_left, 29);
  EXPECT_FALSE(t->expired);
  EXPECT_TRUE(t->not_after.ends_with(" GMT")) << t->not_after;
  EXPECT_FALSE(t->subject.empty());
}

TEST(CertificateExpiry, ExpiredCertificateSaysSo) {
  auto t = certificate_expiry(slurp(testing::shared_test_certs().expired_cert));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_TRUE(t->expired);
  EXPECT_LE(t->days_left, 0);
  EXPECT_EQ(t->subject, "/CN=expired");
}

TEST(CertificateExpiry, GarbageIsAnError) {
  auto t = certificate_expiry("not a certificate");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message, "not a PEM certificate");
}

}  // namespace
}  // namespace golive
