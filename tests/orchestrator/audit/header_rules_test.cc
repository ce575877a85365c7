// Header parsers and the mixed-content scan of the audit.
#include "orchestrator/audit/header_rules.h"

#include <gtest/gtest.h>

namespace golive {
namespace {

TEST(HeaderRules, HstsMaxAge) {
  EXPECT_EQ(hsts_max_age("max-age=31536000; includeSubDomains"), 31536000);
  EXPECT_EQ(hsts_max_age("includeSubDomains; max-age=\"600\""), 600);
  EXPECT_FALSE(hsts_max_age("includeSubDomains"));
  EXPECT_FALSE(hsts_max_age("max-age=abc"));
}

TEST(HeaderRules, SetCookieFlags) {
  auto c = parse_set_cookie("session=abc; Secure; HttpOnly; SameSite=Lax; Path=/");
  EXPECT_EQ(c.name, "session");
  EXPECT_TRUE(c.secure);
  EXPECT_TRUE(c.http_only);
  EXPECT_EQ(c.same_site, "lax");
  auto weak = parse_set_cookie("sid=1; HttpOnly; Path=/");
  EXPECT_FALSE(weak.secure);
  EXPECT_EQ(weak.same_site, "");
}

TEST(HeaderRules, VersionLeaks) {
  EXPECT_TRUE(leaks_version("nginx/1.18.0"));
  EXPECT_TRUE(leaks_version("Apache/2.4.41 (Ubuntu)"));
  EXPECT_TRUE(leaks_version("PHP/8.1"));
  EXPECT_FALSE(leaks_version("nginx"));
  EXPECT_FALSE(leaks_version("cloudflare"));
}

TEST(HeaderRules, FrameAncestorsAndCacheability) {
  EXPECT_TRUE(csp_has_frame_ancestors("default-src 'self'; frame-ancestors 'none'"));
  EXPECT_FALSE(csp_has_frame_ancestors("default-src 'self'"));
  EXPECT_TRUE(shared_cacheable("public, max-age=600"));
  EXPECT_TRUE(shared_cacheable("max-age=600"));
  EXPECT_FALSE(shared_cacheable("private, max-age=600"));
  EXPECT_FALSE(shared_cacheable("no-store"));
}

TEST(HeaderRules, MixedContentFindsSubresourcesNotLinks) {
  const std::string html =
      R"(<html><script src="http://cdn.example/lib.js"></script>)"
      R"(<link rel="stylesheet" href="http://cdn.example/a.css"><img src='https://ok.example/i.png'>)"
      R"(<a href="http://elsewhere.example/">link</a><style>b{background:url(http://x.example/b.png)}</style>)";
  const auto found = mixed_content(html);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0], "http://cdn.example/lib.js");
  EXPECT_EQ(found[1], "http://cdn.example/a.css");
  EXPECT_EQ(found[2], "http://x.example/b.png");
}

}  // namespace
}  // namespace golive
