#include "orchestrator/adapters/crypto/encoding.h"

#include <gtest/gtest.h>

namespace golive {
namespace {

TEST(Encoding, HexIsLowercaseTwoDigitsPerByte) {
  EXPECT_EQ(hex_encode(""), "");
  EXPECT_EQ(hex_encode(std::string("\x00\x0f\xa5\xff", 4)), "000fa5ff");
}

TEST(Encoding, Base64KnownAnswers) {
  // RFC 4648 section 10.
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xfb\xff", 2)), "+/8=");
}

TEST(Encoding, Base64HasNoLineBreaks) {
  const std::string b64 = base64_encode(std::string(200, 'x'));
  EXPECT_EQ(b64.find('\n'), std::string::npos);
  EXPECT_EQ(b64.size(), 268u);
}

}  // namespace
}  // namespace golive
