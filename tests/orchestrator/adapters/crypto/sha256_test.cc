#include "orchestrator/adapters/crypto/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace golive {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, StreamingEqualsOneShot) {
  const std::string text(100000, 'a');
  Sha256 h;
  for (std::size_t at = 0; at < text.size(); at += 777) {
    h.update(std::string_view(text).substr(at, 777));
  }
  EXPECT_EQ(h.hex_digest(), sha256_hex(text));
  // One million 'a': the FIPS 180-2 long vector.
  Sha256 million;
  for (int i = 0; i < 10; ++i) million.update(text);
  EXPECT_EQ(million.hex_digest(),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, EmptyStream) {
  Sha256 h;
  EXPECT_EQ(h.hex_digest(), sha256_hex(""));
}

}  // namespace
}  // namespace golive
