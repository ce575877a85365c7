// tls checks against real TLS servers on loopback with certificates made at test time.
#include <gtest/gtest.h>

#include "golive/gate.h"
#include "tests/harness/check_fakes.h"
#include "tests/harness/python_server.h"
#include "tests/harness/test_certs.h"

namespace golive {
namespace {

using testing::PythonServer;

class TlsCheckTest : public ::testing::Test {
 protected:
  CheckAttempt run(const TlsCheck& spec) { return runner->attempt(testing::rendered("tls", spec)); }
  TlsCheck spec_for(const PythonServer& server) const {
    TlsCheck t;
    t.url = server.url("https");
    t.ca_file = certs().ca;
    return t;
  }

  const testing::TestCerts& certs() const { return testing::shared_test_certs(); }
  testing::FakeLocalProcess local;
  std::unique_ptr<CheckRunner> runner = make_check_runner({}, local);
};

TEST_F(TlsCheckTest, PassesForATrustedCertificateWithTimeLeft) {
  PythonServer server("check_app.py", {"--cert", certs().good_cert, "--key", certs().good_key});
  auto a = run(spec_for(server));
  EXPECT_TRUE(a.passed) << a.reason;
  EXPECT_EQ(a.detail, "certificate valid for 29 more days");
}

TEST_F(TlsCheckTest, FailsWhenExpiryIsTooClose) {
  PythonServer server("check_app.py", {"--cert", certs().good_cert, "--key", certs().good_key});
  auto spec = spec_for(server);
  spec.min_days = 60;
  auto a = run(spec);
  EXPECT_FALSE(a.passed);
  EXPECT_FALSE(a.transport_error);
  EXPECT_TRUE(a.reason.starts_with("TLS " + spec.url + "/: certificate expires in 29 day(s) " +
                                   "(notAfter "))
      << a.reason;
  EXPECT_TRUE(a.reason.ends_with(" GMT), expected more than 60")) << a.reason;
}

TEST_F(TlsCheckTest, ExpiredCertificateFailsSayingSo) {
  PythonServer server("check_app.py", {"--cert", certs().expired_cert, "--key", certs().key});
  auto spec = spec_for(server);
  auto a = run(spec);
  EXPECT_FALSE(a.passed);
  EXPECT_FALSE(a.transport_error);
  EXPECT_TRUE(a.reason.starts_with("TLS " + spec.url + "/: certificate not trusted: SSL " +
                                   "certificate problem: certificate has expired (/CN=expired, "
                                   "notAfter "))
      << a.reason;
  EXPECT_TRUE(a.reason.ends_with(", expired)") || a.reason.ends_with("day(s) ago)")) << a.reason;
}

TEST_F(TlsCheckTest, WrongHostNameFails) {
  PythonServer server("check_app.py", {"--cert", certs().wrong_name_cert, "--key", certs().key});
  auto a = run(spec_for(server));
  EXPECT_FALSE(a.passed);
  EXPECT_FALSE(a.transport_error);
  EXPECT_NE(a.reason.find("certificate not trusted: SSL: no alternative certificate subject name "
                          "matches target host name '127.0.0.1'"),
            std::string::npos)
      << a.reason;
}

TEST_F(TlsCheckTest, UnknownRootFails) {
  PythonServer server("check_app.py", {"--cert", certs().good_cert, "--key", certs().good_key});
  auto spec = spec_for(server);
  spec.ca_file.clear();  // the system store does not know the test CA
  auto a = run(spec);
  EXPECT_FALSE(a.passed);
  EXPECT_FALSE(a.transport_error);
  EXPECT_NE(a.reason.find("certificate not trusted: SSL certificate problem: unable to get local "
                          "issuer certificate (/CN=good, notAfter "),
            std::string::npos)
      << a.reason;
}

TEST_F(TlsCheckTest, RefusedConnectionIsATransportError) {
  TlsCheck spec;
  spec.url = "https://127.0.0.1:1";
  auto a = run(spec);
  EXPECT_FALSE(a.passed);
  EXPECT_TRUE(a.transport_error);
  EXPECT_NE(a.reason.find("Connection refused"), std::string::npos) << a.reason;
}

TEST_F(TlsCheckTest, OnlyHttpsUrls) {
  TlsCheck spec;
  spec.url = "http://127.0.0.1:1";
  EXPECT_EQ(run(spec).reason, "TLS http://127.0.0.1:1/: url must be https://host[:port]");
}

}  // namespace
}  // namespace golive
