// http checks against a real HTTP(S) server on loopback (tests/fixtures/check_app.py).
#include <gtest/gtest.h>

#include "golive/gate.h"
#include "tests/harness/check_app.h"
#include "tests/harness/check_fakes.h"
#include "tests/harness/python_server.h"
#include "tests/harness/test_certs.h"

namespace golive {
namespace {

using testing::PythonServer;
using testing::rendered;

class HttpCheckTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server = new PythonServer("check_app.py", {"--slow-ms", "250"}); }
  static void TearDownTestSuite() {
    delete server;
    server = nullptr;
  }
  void SetUp() override { testing::set_breaks(app, ""); }
  CheckAttempt run(HttpCheck spec, Millis timeout = std::chrono::seconds(3)) {
    auto check = rendered("http", spec);
    check.timeout = timeout;
    return runner->attempt(check);
  }
  HttpCheck get(const std::string& path) {
    HttpCheck h;
    h.url = app.url() + path;
    return h;
  }

  static PythonServer* server;
  PythonServer& app = *server;
  testing::FakeLocalProcess local;
  std::unique_ptr<CheckRunner> runner = make_check_runner({}, local);
};

PythonServer* HttpCheckTest::server = nullptr;

TEST_F(HttpCheckTest, PassesOnTheGoodCase) {
  auto spec = get("/");
  spec.body_contains = "hello";
  spec.body_regex = "^hello from \\w+";
  spec.header_match["content-type"] = "^text/plain";
  spec.header_absent = {"X-Powered-By"};
  spec.max_latency = std::chrono::seconds(2);
  auto a = run(spec);
  EXPECT_TRUE(a.passed) << a.reason;
  EXPECT_FALSE(a.transport_error);
  EXPECT_GT(a.latency.count(), -1);
}

TEST_F(HttpCheckTest, WrongStatusIsAWrongAnswerNamingExpectedAndGot) {
  testing::set_breaks(app, "error500");
  HttpCheck spec;
  spec.url = app.url() + "/";
  auto a = run(spec);
  EXPECT_FALSE(a.passed);
  EXPECT_FALSE(a.transport_error);
  EXPECT_EQ(a.reason, "GET " + app.url() + "/: expected status 200, got 500");

  spec.status = {200, 204};
  EXPECT_EQ(run(spec).reason, "GET " + app.url() + "/: expected status 200 or 204, got 500");
}

TEST_F(HttpCheckTest, RedirectsAreNotFollowedUnlessAsked) {
  auto spec = get("/dashboard");
  auto a = run(spec);
  EXPECT_FALSE(a.passed);
  EXPECT_EQ(a.reason, "GET " + app.url() + "/dashboard: expected status 200, got 303 (Location: " +
                          app.url() + "/login?next=/dashboard)");
  spec.follow = true;
  spec.body_contains = "<form";
  a = run(spec);
  EXPECT_TRUE(a.passed) << a.reason;
}

TEST_F(HttpCheckTest, HeaderAndBodyExpectationsFailPrecisely) {
  auto spec = get("/static/app.css");
  spec.header_match["Cache-Control"] = "no-store";
  spec.header_absent = {"Cache-Control"};
  spec.body_contains = "nowhere";
  auto a = run(spec);
  EXPECT_FALSE(a.passed);
  const std::string cc = "public, max-age=31536000, immutable";
  EXPECT_EQ(a.reason, "GET " + app.url() + "/static/app.css: header Cache-Control is '" + cc +
                          "', expected to match /no-store/; header Cache-Control must be absent, "
                          "got '" +
                          cc + "'; expected body to contain 'nowhere', got 'body{}\\n'");

  spec = get("/");
  spec.header_match["X-Missing"] = ".";
  spec.body_regex = "^bye";
  a = run(spec);
  EXPECT_EQ(a.reason, "GET " + app.url() +
                          "/: expected header X-Missing matching /./, got none; expected body to "
                          "match /^bye/, got 'hello from check_app\\n'");
}

TEST_F(HttpCheckTest, CookieValuesNeverAppearInReasons) {
  auto spec = get("/login");
  spec.method = "POST";
  spec.form = {{"username", "smoke"}, {"password", "s3cret-smoke-pass"}};
  spec.status = {303};
  spec.header_absent = {"Set-Cookie"};
  auto a = run(spec);
  EXPECT_EQ(a.reason,
            "POST " + app.url() + "/login: header Set-Cookie must be absent, got [hidden]");
}

TEST_F(HttpCheckTest, InvalidUserRegexIsReportedNotThrown) {
  auto spec = get("/");
  spec.body_regex = "(unclosed";
  auto a = run(spec);
  EXPECT_FALSE(a.passed);
  EXPECT_NE(a.reason.find("body_regex: invalid regex /(unclosed/"), std::string::npos) << a.reason;
}

TEST_F(HttpCheckTest, PostsFormAndJsonBodies) {
  auto spec = get("/echo");
  spec.method = "POST";
  spec.json = R"({"ping":true})";
  spec.body_contains = R"({"ping":true})";
  spec.header_match["Content-Type"] = "^application/json$";
  auto a = run(spec);
  EXPECT_TRUE(a.passed) << a.reason;

  spec = get("/echo");
  spec.method = "PUT";
  spec.form = {{"a", "1 2"}, {"b", "x&y"}};
  spec.body_contains = "a=1%202&b=x%26y";
  spec.header_match["X-Method"] = "^PUT$";
  a = run(spec);
  EXPECT_TRUE(a.passed) << a.reason;
}

TEST_F(HttpCheckTest, SlowAnswerFailsMaxLatency) {
  testing::set_breaks(app, "slow");
  HttpCheck spec;
  spec.url = app.url() + "/";
  spec.max_latency = Millis(100);
  auto a = run(spec);
  EXPECT_FALSE(a.passed);
  EXPECT_FALSE(a.transport_error);
  EXPECT_NE(a.reason.find(": expected an answer within 100ms, took "), std::string::npos)
      << a.reason;
  EXPECT_GE(a.latency.count(), 250);
}

TEST_F(HttpCheckTest, TimeoutIsATransportError) {
  testing::set_breaks(app, "slow");
  HttpCheck spec;
  spec.url = app.url() + "/";
  auto a = run(spec, Millis(100));
  EXPECT_FALSE(a.passed);
  EXPECT_TRUE(a.transport_error);
  EXPECT_NE(a.reason.find("timed out"), std::string::npos) << a.reason;
}

TEST_F(HttpCheckTest, ConnectionRefusedIsATransportError) {
  int port = 0;
  {
    PythonServer gone{"check_app.py", {}};
    port = gone.port();
  }
  HttpCheck spec;
  spec.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  auto a = run(spec);
  EXPECT_FALSE(a.passed);
  EXPECT_TRUE(a.transport_error);
  EXPECT_TRUE(a.reason.starts_with("GET " + spec.url + ": Failed to connect to 127.0.0.1 port " +
                                   std::to_string(port)))
      << a.reason;
  EXPECT_TRUE(a.reason.ends_with("Couldn't connect to server (Connection refused)")) << a.reason;
}

TEST_F(HttpCheckTest, HttpsVerifiesCertificatesByDefault) {
  const auto& certs = testing::shared_test_certs();
  PythonServer tls{"check_app.py", {"--cert", certs.good_cert, "--key", certs.good_key}};
  HttpCheck spec;
  spec.url = tls.url("https") + "/";
  auto a = run(spec);
  EXPECT_FALSE(a.passed);
  EXPECT_FALSE(a.transport_error);  // the server answered; its certificate is not trusted
  EXPECT_NE(a.reason.find("SSL certificate problem"), std::string::npos) << a.reason;

  spec.ca_file = certs.ca;
  a = run(spec);
  EXPECT_TRUE(a.passed) << a.reason;

  spec.ca_file.clear();
  spec.insecure = true;
  a = run(spec);
  EXPECT_TRUE(a.passed) << a.reason;
}

TEST_F(HttpCheckTest, UnknownSessionFailsNamingIt) {
  auto spec = get("/dashboard");
  spec.session = "login";
  auto a = run(spec);
  EXPECT_FALSE(a.passed);
  EXPECT_EQ(a.reason, "GET " + app.url() +
                          "/dashboard: session 'login' is not established (its login check has "
                          "not passed)");
}

}  // namespace
}  // namespace golive
