// login checks against a real app on loopback (tests/fixtures/check_app.py).
#include "tests/harness/test_certs.h"
#include "tests/steps/checks/check_app_fixture.h"

namespace golive {
namespace {

using LoginCheckTest = CheckAppTest;

TEST_F(LoginCheckTest, PassesAndKeepsTheSessionForLaterChecks) {
  auto a = run("login", good_login());
  ASSERT_TRUE(a.passed) << a.reason;
  EXPECT_FALSE(a.transport_error);

  HttpCheck page;
  page.url = url("/dashboard");
  page.session = "login";
  page.body_contains = "dashboard";
  a = run("dashboard", page);
  EXPECT_TRUE(a.passed) << a.reason;
}

TEST_F(LoginCheckTest, RefusedCredentialsFail) {
  testing::set_breaks(app(), "login");
  auto a = run("login", good_login());
  EXPECT_FALSE(a.passed);
  EXPECT_FALSE(a.transport_error);
  EXPECT_EQ(a.reason, "POST " + url("/login") +
                          ": expected the login to succeed (2xx or 3xx with a session cookie), got "
                          "401: the credentials were refused");
  // The password never appears in a reason.
  EXPECT_EQ(a.reason.find("s3cret"), std::string::npos);

  HttpCheck page;
  page.url = url("/dashboard");
  page.session = "login";
  EXPECT_FALSE(run("dashboard", page).passed);
}

TEST_F(LoginCheckTest, WrongCookieNameFails) {
  auto spec = good_login();
  spec.cookie = "sid";
  auto a = run("login", spec);
  EXPECT_EQ(a.reason, "POST " + url("/login") + ": expected a session cookie 'sid', got none " +
                          "(status 303)");
}

TEST_F(LoginCheckTest, CookieWithoutHttpOnlyFails) {
  testing::set_breaks(app(), "cookie_flags");
  auto a = run("login", good_login());
  EXPECT_EQ(a.reason, "POST " + url("/login") +
                          ": session cookie 'session' lacks HttpOnly: scripts could steal the "
                          "session");
}

TEST_F(LoginCheckTest, PageServedWithoutSessionFailsAccessControl) {
  testing::set_breaks(app(), "session_check");
  auto a = run("login", good_login());
  EXPECT_FALSE(a.passed);
  EXPECT_EQ(a.reason, "GET " + url("/dashboard") +
                          " without a session: expected 401, 403 or a redirect to /login, got "
                          "200: access control does not hold");
}

TEST_F(LoginCheckTest, BrokenProtectedPageFails) {
  auto spec = good_login();
  spec.then = url("/nowhere");
  auto a = run("login", spec);
  EXPECT_EQ(a.reason, "GET " + url("/nowhere") + " with the session: expected 2xx, got 404");
}

TEST_F(LoginCheckTest, SessionsAreKeptPerHost) {
  ASSERT_TRUE(run("login", good_login(), "web1").passed);
  HttpCheck page;
  page.url = url("/dashboard");
  page.session = "login";
  EXPECT_TRUE(run("dashboard", page, "web1").passed);
  auto a = run("dashboard", page, "web2");
  EXPECT_FALSE(a.passed);
  EXPECT_EQ(a.reason, "GET " + url("/dashboard") +
                          ": session 'login' is not established (its login check has not passed "
                          "for host web2)");
}

TEST_F(LoginCheckTest, HttpsSessionCookieIsSecure) {
  const auto& certs = testing::shared_test_certs();
  testing::PythonServer tls("check_app.py", {"--cert", certs.good_cert, "--key", certs.good_key});
  LoginCheck spec;
  spec.url = tls.url("https") + "/login";
  spec.then = tls.url("https") + "/dashboard";
  spec.user = "smoke";
  spec.password = "s3cret-smoke-pass";
  spec.ca_file = certs.ca;
  auto a = run("login", spec);
  EXPECT_TRUE(a.passed) << a.reason;

  testing::set_breaks(tls, "no_secure", certs.ca);
  a = run("login", spec);
  EXPECT_EQ(a.reason, "POST " + spec.url +
                          ": session cookie 'session' lacks Secure: it would be sent over plain "
                          "http");
}

TEST_F(LoginCheckTest, UnreachableLoginIsATransportError) {
  auto spec = good_login();
  spec.url = "http://127.0.0.1:1/login";
  auto a = run("login", spec);
  EXPECT_FALSE(a.passed);
  EXPECT_TRUE(a.transport_error);
}

}  // namespace
}  // namespace golive
