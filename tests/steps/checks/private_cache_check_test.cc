// private_cache checks against a real app on loopback (tests/fixtures/check_app.py).
#include "tests/steps/checks/check_app_fixture.h"

namespace golive {
namespace {

class PrivateCacheCheckTest : public CheckAppTest {
 protected:
  void SetUp() override {
    CheckAppTest::SetUp();
    ASSERT_TRUE(run("login", good_login()).passed);
  }
  PrivateCacheCheck spec() const {
    PrivateCacheCheck p;
    p.url = url("/dashboard");
    p.session = "login";
    p.static_urls = {url("/static/app.css")};
    return p;
  }
};

TEST_F(PrivateCacheCheckTest, PassesWhenPrivateAndStaticIsCacheable) {
  auto a = run("cache", spec());
  EXPECT_TRUE(a.passed) << a.reason;
  EXPECT_TRUE(a.warnings.empty());
}

TEST_F(PrivateCacheCheckTest, PublicCacheControlFails) {
  testing::set_breaks(app(), "cache");
  auto a = run("cache", spec());
  EXPECT_FALSE(a.passed);
  EXPECT_FALSE(a.transport_error);
  EXPECT_EQ(a.reason, "GET " + url("/dashboard") +
                          ": Cache-Control is 'public, max-age=600': private pages must be private "
                          "or no-store");
  // Cacheable and no Vary: Cookie: also warned.
  ASSERT_EQ(a.warnings.size(), 1u);
  EXPECT_EQ(a.warnings[0],
            "GET " + url("/dashboard") + ": Vary lacks Cookie on a cacheable private page");
}

TEST_F(PrivateCacheCheckTest, AgeHeaderMeansASharedCacheServedIt) {
  testing::set_breaks(app(), "age");
  auto a = run("cache", spec());
  EXPECT_EQ(a.reason,
            "GET " + url("/dashboard") + ": Age is '42': a shared cache served this private page");
}

TEST_F(PrivateCacheCheckTest, MissingVaryCookieOnlyWarns) {
  testing::set_breaks(app(), "vary");
  auto a = run("cache", spec());
  EXPECT_TRUE(a.passed) << a.reason;
  ASSERT_EQ(a.warnings.size(), 1u);
}

TEST_F(PrivateCacheCheckTest, ShortLivedStaticAssetsFail) {
  testing::set_breaks(app(), "static_short");
  auto a = run("cache", spec());
  EXPECT_EQ(a.reason, "GET " + url("/static/app.css") +
                          ": expected Cache-Control max-age >= 86400, got 'public, max-age=60, "
                          "immutable'");
}

TEST_F(PrivateCacheCheckTest, WithoutAWorkingSessionThePageIsNotReached) {
  auto p = spec();
  p.session = "";
  auto a = run("cache", p);
  EXPECT_EQ(a.reason, "GET " + url("/dashboard") + ": expected 2xx for the private page, got 303 " +
                          "(Location: " + url("/login?next=/dashboard") + ")");
  p.session = "other";
  EXPECT_EQ(run("cache", p).reason,
            "GET " + url("/dashboard") +
                ": session 'other' is not established (its login check has not passed)");
}

TEST_F(PrivateCacheCheckTest, ServerErrorFails) {
  testing::set_breaks(app(), "error500");
  auto a = run("cache", spec());
  EXPECT_EQ(a.reason, "GET " + url("/dashboard") +
                          ": expected 2xx for the private page with session 'login', got 500");
}

}  // namespace
}  // namespace golive
