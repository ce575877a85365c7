#include "orchestrator/adapters/crypto/hmac.h"

#include <gtest/gtest.h>

namespace golive {
namespace {

TEST(HmacSha256, Rfc4231Vectors) {
  // RFC 4231 test case 2.
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hmac_sha256_hex("", "").size(), 64u);
}

}  // namespace
}  // namespace golive
