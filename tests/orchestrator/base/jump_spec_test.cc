#include "golive/jump_spec.h"

#include <gtest/gtest.h>

namespace golive {
namespace {

TEST(JumpSpec, ParsesUserHostAndPort) {
  auto j = parse_jump_spec("deploy@bastion.example.com:2222");
  ASSERT_TRUE(j) << j.error().message;
  EXPECT_EQ(j->user, "deploy");
  EXPECT_EQ(j->host, "bastion.example.com");
  EXPECT_EQ(j->port, 2222);
  EXPECT_EQ(jump_text(*j), "deploy@bastion.example.com:2222");
}

TEST(JumpSpec, UserAndPortAreOptional) {
  auto j = parse_jump_spec("bastion");
  ASSERT_TRUE(j);
  EXPECT_EQ(j->user, "");
  EXPECT_EQ(j->host, "bastion");
  EXPECT_EQ(j->port, 0);
  EXPECT_EQ(jump_text(*j), "bastion");
}

TEST(JumpSpec, Ipv6InBracketsAndSshUrls) {
  auto j = parse_jump_spec("ops@[::1]:2200");
  ASSERT_TRUE(j) << j.error().message;
  EXPECT_EQ(j->host, "::1");
  EXPECT_EQ(j->port, 2200);
  EXPECT_EQ(jump_text(*j), "ops@[::1]:2200");
  auto url = parse_jump_spec("ssh://ops@10.0.0.1:23");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->user, "ops");
  EXPECT_EQ(url->host, "10.0.0.1");
  EXPECT_EQ(url->port, 23);
}

TEST(JumpSpec, RejectsMalformedValues) {
  for (const char* bad :
       {"", "@host", "user@", "host:", "host:0", "host:65536", "host:22x", "a b", "b1,b2", "[::1",
        "[zz]:22", "[::1]22", "-oProxyCommand=x", "user@host:port", "h/x"}) {
    auto j = parse_jump_spec(bad);
    EXPECT_FALSE(j) << "accepted `" << bad << "`";
    if (!j) {
      EXPECT_EQ(j.error().exit, ExitCode::kUsage);
    }
  }
}

TEST(JumpSpec, SeveralHopsAreNamedAsSuch) {
  auto j = parse_jump_spec("b1,b2");
  ASSERT_FALSE(j);
  EXPECT_NE(j.error().message.find("one bastion"), std::string::npos) << j.error().message;
}

}  // namespace
}  // namespace golive
