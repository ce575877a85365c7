#include "golive/redactor.h"

#include <gtest/gtest.h>

#include <string>

namespace golive {
namespace {

// Base64 reference for the test's own expectations (independent of the implementation's).
std::string b64(std::string_view in, bool url = false, bool pad = true) {
  const char* alphabet = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                             : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16 |
                 static_cast<unsigned char>(in[i + 1]) << 8 | static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += alphabet[(v >> s) & 63];
  }
  if (in.size() - i == 1) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (in.size() - i == 2) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1])
                                                               << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += "=";
  }
  return out;
}

const std::string kSecret = "s3cr3t-P@ss/word+x";  // has characters base64 and URLs encode

Redactor make() {
  Redactor r;
  r.add("SMTP_PASSWORD", kSecret);
  return r;
}

TEST(Redactor, ReplacesWholeSecret) {
  Redactor r = make();
  EXPECT_EQ(r.redact("login with " + kSecret + " now"), "login with [REDACTED:SMTP_PASSWORD] now");
  EXPECT_EQ(r.redact(kSecret + kSecret), "[REDACTED:SMTP_PASSWORD][REDACTED:SMTP_PASSWORD]");
  EXPECT_EQ(r.redact("nothing here"), "nothing here");
}

TEST(Redactor, SecretsAreBytesNotText) {
  Redactor r;
  r.add("UTF8_PASSWORD", "p\xc3\xa4ssw\xc3\xb6rd-\xe2\x82\xac");
  r.add("BINARY_KEY", std::string("\x00\xff\x10key\n\x7f", 8));
  EXPECT_EQ(r.redact("a p\xc3\xa4ssw\xc3\xb6rd-\xe2\x82\xac b"), "a [REDACTED:UTF8_PASSWORD] b");
  EXPECT_EQ(r.redact(std::string("<\x00\xff\x10key\n\x7f>", 10)), "<[REDACTED:BINARY_KEY]>");
  EXPECT_EQ(r.redact("p%C3%A4ssw%C3%B6rd-%E2%82%AC"), "[REDACTED:UTF8_PASSWORD]");
}

TEST(Redactor, ReplacesBase64FormsWithAndWithoutPadding) {
  Redactor r = make();
  for (bool url : {false, true}) {
    for (bool pad : {false, true}) {
      std::string enc = b64(kSecret, url, pad);
      std::string out = r.redact("Authorization: Basic " + enc + "\n");
      EXPECT_EQ(out, "Authorization: Basic [REDACTED:SMTP_PASSWORD]\n") << enc;
    }
  }
}

TEST(Redactor, ReplacesBase64OfSecretInsideALongerStreamAtEveryAlignment) {
  Redactor r = make();
  for (std::string prefix : {"", "u", "us", "use", "user:"}) {
    for (std::string suffix : {"", "!", "!!", "!!!"}) {
      std::string enc = b64(prefix + kSecret + suffix);
      std::string out = r.redact("Basic " + enc);
      EXPECT_NE(out.find("[REDACTED:SMTP_PASSWORD]"), std::string::npos) << enc;
      // What stays visible is at most the prefix's characters plus one mixed character each side.
      std::size_t visible = out.size() - std::string("Basic [REDACTED:SMTP_PASSWORD]").size();
      EXPECT_LE(visible, b64(prefix).size() + 1 + b64(suffix).size() + 1) << out;
    }
  }
}

TEST(Redactor, ReplacesUrlEncodedForms) {
  Redactor r = make();
  EXPECT_EQ(r.redact("smtp://u:s3cr3t-P%40ss%2Fword%2Bx@mail"),
            "smtp://u:[REDACTED:SMTP_PASSWORD]@mail");
  EXPECT_EQ(r.redact("pw=s3cr3t-P%40ss%2fword%2bx&"), "pw=[REDACTED:SMTP_PASSWORD]&");
  Redactor spaced;
  spaced.add("PASS", "two words here");
  EXPECT_EQ(spaced.redact("q=two+words+here"), "q=[REDACTED:PASS]");
  EXPECT_EQ(spaced.redact("q=two%20words%20here"), "q=[REDACTED:PASS]");
}

TEST(Redactor, OverlappingSecretsLeaveNoFragment) {
  Redactor r;
  r.add("A_KEY", "abcdef123");
  r.add("B_KEY", "123456xyz");
  std::string out = r.redact("--abcdef123456xyz--");
  EXPECT_EQ(out, "--[REDACTED:A_KEY][REDACTED:B_KEY]--");
  // A secret containing another: the longer one wins where it appears whole.
  Redactor nested;
  nested.add("SHORT_TOKEN", "token");
  nested.add("LONG_TOKEN", "my-token-value");
  EXPECT_EQ(nested.redact("my-token-value token"), "[REDACTED:LONG_TOKEN] [REDACTED:SHORT_TOKEN]");
}

TEST(Redactor, NoFalsePositivesOnShortValues) {
  Redactor r;
  r.add("PIN", "42");
  r.add("FLAG", "on");
  r.add("EMPTY", "");
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.redact("port 42 is on"), "port 42 is on");
  Redactor four;
  four.add("CODE", "abcd");
  // Base64 of a short value yields only its full forms, never tiny cores.
  for (const auto& form : secret_forms("abcd")) EXPECT_GE(form.text.size(), 4u) << form.text;
  EXPECT_EQ(four.redact("YWJj is base64 of abc"), "YWJj is base64 of abc");
}

TEST(Redactor, ManySecretsInOnePass) {
  Redactor r;
  std::string text;
  for (int i = 0; i < 300; ++i) {
    std::string v = "value-" + std::to_string(i * 7919) + "-end";
    r.add("K" + std::to_string(i), v);
    if (i % 50 == 0) text += "<" + v + ">";
  }
  EXPECT_EQ(r.redact(text),
            "<[REDACTED:K0]><[REDACTED:K50]><[REDACTED:K100]><[REDACTED:K150]><[REDACTED:K200]>"
            "<[REDACTED:K250]>");
}

TEST(Redactor, CopiesAreIndependent) {
  Redactor a = make();
  EXPECT_EQ(a.redact(kSecret), "[REDACTED:SMTP_PASSWORD]");
  Redactor b = a;
  b.add("OTHER_KEY", "other-secret");
  EXPECT_EQ(a.redact("other-secret"), "other-secret");
  EXPECT_EQ(b.redact("other-secret " + kSecret), "[REDACTED:OTHER_KEY] [REDACTED:SMTP_PASSWORD]");
}

std::string stream(const Redactor& r, const std::vector<std::string_view>& chunks) {
  std::string out;
  StreamRedactor s(r, [&](std::string_view piece) { out.append(piece); });
  for (auto c : chunks) s.write(c);
  s.flush();
  return out;
}

TEST(StreamRedactor, SecretSplitAtEveryPointIsCaught) {
  Redactor r = make();
  const std::string text = "before " + kSecret + " after";
  const std::string want = "before [REDACTED:SMTP_PASSWORD] after";
  for (std::size_t split = 0; split <= text.size(); ++split) {
    std::string_view v(text);
    EXPECT_EQ(stream(r, {v.substr(0, split), v.substr(split)}), want) << split;
  }
  // Byte by byte, and the base64 form split too.
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < text.size(); ++i)
    bytes.push_back(std::string_view(text).substr(i, 1));
  EXPECT_EQ(stream(r, bytes), want);
  const std::string enc = "X " + b64(kSecret) + " Y";
  for (std::size_t split = 0; split <= enc.size(); ++split) {
    std::string_view v(enc);
    EXPECT_EQ(stream(r, {v.substr(0, split), v.substr(split)}), "X [REDACTED:SMTP_PASSWORD] Y")
        << split;
  }
}

TEST(StreamRedactor, EmitsEarlyAndHoldsBackOnlyALittle) {
  Redactor r = make();
  std::string out;
  StreamRedactor s(r, [&](std::string_view piece) { out.append(piece); });
  std::string big(10000, 'a');
  s.write(big);
  EXPECT_GE(out.size(), big.size() - r.longest());
  s.flush();
  EXPECT_EQ(out, big);
}

TEST(StreamRedactor, OverlappingSecretsAcrossChunks) {
  Redactor r;
  r.add("A_KEY", "abcdef123");
  r.add("B_KEY", "123456xyz");
  const std::string text = "--abcdef123456xyz--";
  for (std::size_t split = 0; split <= text.size(); ++split) {
    std::string_view v(text);
    EXPECT_EQ(stream(r, {v.substr(0, split), v.substr(split)}),
              "--[REDACTED:A_KEY][REDACTED:B_KEY]--")
        << split;
  }
}

TEST(StreamRedactor, WithoutSecretsPassesThrough) {
  Redactor none;
  EXPECT_EQ(stream(none, {"a", "b"}), "ab");
}

TEST(LooksSecretName, MatchesCommonSecretWords) {
  for (const char* n : {"API_KEY", "secret_key_base", "GITHUB_TOKEN", "SMTP_PASSWORD", "DB_PASS",
                        "PRIVATE_PEM", "GCP_CREDENTIALS", "SENTRY_DSN"}) {
    EXPECT_TRUE(looks_secret_name(n)) << n;
  }
  for (const char* n : {"BASE_URL", "SMTP_HOST", "PORT", "LOG_LEVEL", "RELEASE_ID"}) {
    EXPECT_FALSE(looks_secret_name(n)) << n;
  }
}

}  // namespace
}  // namespace golive
