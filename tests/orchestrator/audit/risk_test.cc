// The risk list: ranking, exit code and its three renderings.
#include "orchestrator/audit/risk.h"

#include <gtest/gtest.h>

namespace golive {
namespace {

RiskList sample() {
  RiskList l;
  l.add(Severity::kLow, "headers", "Referrer-Policy missing", "seen1", "fix1");
  l.add(Severity::kCritical, "exposure", "/.env is served", "seen2", "fix2");
  l.add(Severity::kMedium, "email", "DMARC p=none", "seen3", "fix3");
  l.add(Severity::kCritical, "access", "unauthorized access", "seen4", "fix4");
  l.add(Severity::kHigh, "tls", "HSTS missing", "seen|5", "fix5");
  return l;
}

TEST(RiskList, RanksBySeverityThenFamily) {
  RiskList l = sample();
  l.rank();
  ASSERT_EQ(l.findings.size(), 5u);
  EXPECT_EQ(l.findings[0].family, "access");
  EXPECT_EQ(l.findings[1].family, "exposure");
  EXPECT_EQ(l.findings[2].severity, Severity::kHigh);
  EXPECT_EQ(l.findings[3].severity, Severity::kMedium);
  EXPECT_EQ(l.findings[4].severity, Severity::kLow);
}

TEST(RiskList, ExitCodeIsThreeOnlyForCriticalOrHigh) {
  RiskList l = sample();
  EXPECT_EQ(l.exit_code(), 3);
  RiskList mild;
  mild.add(Severity::kMedium, "email", "t", "s", "f");
  mild.add(Severity::kLow, "cache", "t", "s", "f");
  EXPECT_EQ(mild.exit_code(), 0);
  EXPECT_EQ(RiskList{}.exit_code(), 0);
  RiskList high;
  high.add(Severity::kHigh, "tls", "t", "s", "f");
  EXPECT_EQ(high.exit_code(), 3);
}

TEST(RiskList, Renderings) {
  RiskList l = sample();
  l.rank();
  l.notes.push_back("email DNS not checked: no launch.domain");
  const std::string text = risk_text(l, "Launch risks");
  EXPECT_NE(text.find("1. [CRITICAL] access: unauthorized access"), std::string::npos);
  EXPECT_NE(text.find("2 critical, 1 high, 1 medium, 1 low"), std::string::npos);
  const std::string md = risk_markdown(l, "Launch risks");
  EXPECT_NE(md.find("| 1 | **critical** | access |"), std::string::npos);
  EXPECT_NE(md.find("seen\\|5"), std::string::npos);  // a pipe cannot break the table
  EXPECT_NE(md.find("- email DNS not checked"), std::string::npos);
  const std::string json = risk_json(l, "production");
  EXPECT_NE(json.find("\"critical\": 2"), std::string::npos);
  EXPECT_NE(json.find("\"exit_code\": 3"), std::string::npos);
}

}  // namespace
}  // namespace golive
