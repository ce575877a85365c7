// The real check runner under the gate, against the fixture app: a login's session serves the
// checks that name it, within the same gate run.
#include "tests/steps/checks/check_app_fixture.h"

namespace golive {
namespace {

using namespace std::chrono_literals;
using CheckRunnerTest = CheckAppTest;

std::vector<RenderedCheck> portal_checks(const LoginCheck& login, const std::string& base) {
  HttpCheck home;
  home.url = base + "/healthz";
  home.body_contains = "ok";
  PrivateCacheCheck cache;
  cache.url = base + "/dashboard";
  cache.session = "login";
  cache.static_urls = {base + "/static/app.css"};
  // The session user is listed before its login: the gate must still run the login first.
  return {testing::rendered("private pages not cached", cache), testing::rendered("home", home),
          testing::rendered("login", login)};
}

TEST_F(CheckRunnerTest, GatePassesWithSessionDependentChecks) {
  auto clock = make_system_clock();
  GateSpec gate{.window = 5s, .interval = 20ms, .consecutive = 2, .timeout = 2s};
  auto v = run_gate(gate, portal_checks(good_login(), app().url()), *runner, *clock);
  for (const auto& c : v.checks) {
    EXPECT_TRUE(c.passed) << c.name << ": " << c.reason;
    EXPECT_EQ(c.attempts, 2) << c.name;
  }
  EXPECT_TRUE(v.passed);
}

TEST_F(CheckRunnerTest, GateFailsWithThePreciseReasonWhenAPrivatePageIsPublic) {
  testing::set_breaks(app(), "cache");
  auto clock = make_system_clock();
  // A window wide enough that a loaded CI machine still fits two rounds for the passing checks.
  GateSpec gate{
      .window = 1500ms, .interval = 40ms, .consecutive = 2, .timeout = 2s, .fail_after = 0};
  auto v = run_gate(gate, portal_checks(good_login(), app().url()), *runner, *clock);
  EXPECT_FALSE(v.passed);
  ASSERT_EQ(v.checks.size(), 3u);
  EXPECT_FALSE(v.checks[0].passed);
  EXPECT_FALSE(v.checks[0].transport_error);
  EXPECT_EQ(v.checks[0].reason, "GET " + url("/dashboard") +
                                    ": Cache-Control is 'public, max-age=600': private pages must "
                                    "be private or no-store");
  EXPECT_GE(v.checks[0].attempts, 2);
  EXPECT_TRUE(v.checks[1].passed);
  EXPECT_TRUE(v.checks[2].passed);
  const std::string xml = gate_junit_xml(v, "gate");
  EXPECT_NE(xml.find("failures=\"1\" errors=\"0\""), std::string::npos) << xml;
}

}  // namespace
}  // namespace golive
