// SPF and DMARC parsing for the audit's email DNS checks.
#include "orchestrator/audit/email_records.h"

#include <gtest/gtest.h>

namespace golive {
namespace {

TEST(SpfParse, ReadsAllQualifierAndCountsLookups) {
  auto s = parse_spf("v=spf1 include:_spf.google.com include:mailgun.org a mx ip4:10.0.0.1 -all");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->all, "-");
  EXPECT_EQ(s->lookups, 4);
  EXPECT_TRUE(s->errors.empty());
  EXPECT_EQ(parse_spf("v=spf1 +all")->all, "+");
  EXPECT_EQ(parse_spf("v=spf1 all")->all, "+");  // no qualifier means +
  EXPECT_EQ(parse_spf("v=spf1 ~all")->all, "~");
  EXPECT_EQ(parse_spf("v=spf1 ip4:1.2.3.4")->all, "");
}

TEST(SpfParse, NotSpfAndUnknownTerms) {
  EXPECT_FALSE(parse_spf("google-site-verification=abc"));
  EXPECT_FALSE(parse_spf("v=spf10 -all"));
  auto s = parse_spf("v=spf1 inclde:x.example -all");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->errors.size(), 1u);
  EXPECT_NE(s->errors[0].find("inclde"), std::string::npos);
}

TEST(SpfParse, MoreThanTenLookups) {
  std::string r = "v=spf1";
  for (int i = 0; i < 11; ++i) r += " include:s" + std::to_string(i) + ".example";
  EXPECT_EQ(parse_spf(r + " -all")->lookups, 11);
}

TEST(DmarcParse, PolicyAndTags) {
  auto d = parse_dmarc("v=DMARC1; p=none; rua=mailto:d@x.example; pct=50");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->policy, "none");
  EXPECT_EQ(d->rua, "mailto:d@x.example");
  EXPECT_EQ(d->pct, 50);
  EXPECT_EQ(parse_dmarc("v=DMARC1;p=Reject")->policy, "reject");
  EXPECT_EQ(parse_dmarc("v=DMARC1; rua=mailto:x@y")->policy, "");
  EXPECT_FALSE(parse_dmarc("v=spf1 -all"));
  EXPECT_FALSE(parse_dmarc("p=reject; v=DMARC1"));  // v must come first
  EXPECT_EQ(parse_dmarc("v=DMARC1; p=maybe")->errors.size(), 1u);
}

TEST(DkimKey, NeedsANonEmptyKey) {
  EXPECT_TRUE(is_dkim_key("v=DKIM1; k=rsa; p=MIIBIjANBgkq"));
  EXPECT_FALSE(is_dkim_key("v=DKIM1; k=rsa; p="));
  EXPECT_FALSE(is_dkim_key("v=spf1 -all"));
}

}  // namespace
}  // namespace golive
