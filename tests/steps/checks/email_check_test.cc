// email checks: real SMTP transactions against an aiosmtpd relay on loopback
// (tests/fixtures/smtp_server.py), and the trigger_url variant against the fixture app.
#include "tests/harness/test_certs.h"
#include "tests/steps/checks/check_app_fixture.h"

namespace golive {
namespace {

using testing::PythonServer;

// Relays are started on first use and live for the test process.
const PythonServer& tls_relay() {
  const auto& certs = testing::shared_test_certs();
  static PythonServer relay("smtp_server.py",
                            {"--cert", certs.good_cert, "--key", certs.good_key, "--user", "mailer",
                             "--password", "relay-pass-123", "--reject-rcpt", "blocked.example"});
  return relay;
}

const PythonServer& plain_relay() {
  static PythonServer relay("smtp_server.py", {});
  return relay;
}

std::string smtp_url(const PythonServer& relay) {
  return "smtp://127.0.0.1:" + std::to_string(relay.port());
}

class EmailCheckTest : public CheckAppTest {
 protected:
  EmailCheck good() const {
    EmailCheck e;
    e.smtp = smtp_url(tls_relay());
    e.to = "canary@example.com";
    e.user = "mailer";
    e.password = "relay-pass-123";
    e.ca_file = testing::shared_test_certs().ca;
    return e;
  }
};

TEST_F(EmailCheckTest, SendsThroughTheRelayWithStarttlsAndAuth) {
  auto a = run("email", good());
  ASSERT_TRUE(a.passed) << a.reason;
  EXPECT_FALSE(a.transport_error);
  // The relay really received the message, with this attempt's unique token in the subject.
  const auto start = a.detail.find("'golive smoke check ");
  ASSERT_NE(start, std::string::npos) << a.detail;
  const std::string subject =
      a.detail.substr(start + 1, a.detail.find('\'', start + 1) - start - 1);
  EXPECT_TRUE(tls_relay().wait_for_output("to=canary@example.com subject=" + subject + "\n"))
      << tls_relay().output();

  auto b = run("email", good());
  ASSERT_TRUE(b.passed) << b.reason;
  EXPECT_NE(a.detail, b.detail);  // a fresh token per attempt
}

TEST_F(EmailCheckTest, RefusedAuthIsAWrongAnswer) {
  auto spec = good();
  spec.password = "wrong-password";
  auto a = run("email", spec);
  EXPECT_FALSE(a.passed);
  EXPECT_FALSE(a.transport_error);
  EXPECT_TRUE(a.reason.starts_with("SMTP " + spec.smtp + "/ to canary@example.com: expected 250 " +
                                   "from the relay, got 535"))
      << a.reason;
  EXPECT_EQ(a.reason.find("wrong-password"), std::string::npos);
}

TEST_F(EmailCheckTest, RejectedRecipientFails) {
  auto spec = good();
  spec.to = "canary@blocked.example";
  auto a = run("email", spec);
  EXPECT_FALSE(a.passed);
  EXPECT_FALSE(a.transport_error);
  EXPECT_NE(a.reason.find("got 550"), std::string::npos) << a.reason;
}

TEST_F(EmailCheckTest, StarttlsIsRequiredUnlessTurnedOff) {
  EmailCheck spec;
  spec.smtp = smtp_url(plain_relay());
  spec.to = "canary@example.com";
  auto a = run("email", spec);
  EXPECT_FALSE(a.passed);
  EXPECT_FALSE(a.transport_error);
  EXPECT_NE(a.reason.find("STARTTLS"), std::string::npos) << a.reason;

  spec.starttls = false;
  a = run("email", spec);
  EXPECT_TRUE(a.passed) << a.reason;
}

TEST_F(EmailCheckTest, UntrustedRelayCertificateFails) {
  auto spec = good();
  spec.ca_file.clear();
  auto a = run("email", spec);
  EXPECT_FALSE(a.passed);
  EXPECT_FALSE(a.transport_error);
  EXPECT_NE(a.reason.find("certificate"), std::string::npos) << a.reason;
}

TEST_F(EmailCheckTest, UnreachableRelayIsATransportError) {
  EmailCheck spec;
  spec.smtp = "smtp://127.0.0.1:1";
  spec.to = "canary@example.com";
  auto a = run("email", spec);
  EXPECT_FALSE(a.passed);
  EXPECT_TRUE(a.transport_error);
  EXPECT_NE(a.reason.find("got no reply (Failed to connect"), std::string::npos) << a.reason;
}

TEST_F(EmailCheckTest, OnlySmtpUrlsAreAccepted) {
  EmailCheck spec;
  spec.smtp = "http://127.0.0.1:25";
  auto a = run("email", spec);
  EXPECT_EQ(a.reason, "email: smtp must be an smtp:// or smtps:// URL, got 'http://127.0.0.1:25/'");
}

TEST_F(EmailCheckTest, TriggerUrlPostsWithTheSession) {
  ASSERT_TRUE(run("login", good_login()).passed);
  EmailCheck spec;
  spec.trigger_url = url("/send-test-email");
  spec.session = "login";
  auto a = run("email", spec);
  EXPECT_TRUE(a.passed) << a.reason;

  testing::set_breaks(app(), "email");
  a = run("email", spec);
  EXPECT_EQ(a.reason, "POST " + url("/send-test-email") +
                          ": expected 2xx from the send-test-email endpoint, got 500 'relay said "
                          "554\\n'");

  spec.session.clear();
  testing::set_breaks(app(), "");
  a = run("email", spec);
  EXPECT_EQ(a.reason, "POST " + url("/send-test-email") +
                          ": expected 2xx from the send-test-email endpoint, got 401 'login "
                          "required\\n'");
}

}  // namespace
}  // namespace golive
