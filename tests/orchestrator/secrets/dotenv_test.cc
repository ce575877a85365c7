#include "orchestrator/secrets/dotenv.h"

#include <gtest/gtest.h>

namespace golive {
namespace {

const std::map<std::string, std::string> kNoEnv;

DotenvFile parse_ok(std::string_view text, const std::map<std::string, std::string>& env = kNoEnv) {
  auto r = parse_dotenv(text, ".env", env);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : DotenvFile{};
}

std::string value_of(const DotenvFile& f, std::string_view key) {
  const DotenvEntry* e = f.find(key);
  EXPECT_NE(e, nullptr) << key;
  return e ? e->value : "<absent>";
}

std::string error_of(std::string_view text) {
  auto r = parse_dotenv(text, ".env.production", kNoEnv);
  EXPECT_FALSE(r.has_value());
  return r ? "" : r.error().message;
}

// Invalid UTF-8 is kept byte for byte: values are bytes, as in a shell.
TEST(Dotenv, InvalidUtf8IsKeptAsBytes) {
  auto f = parse_ok("NAME=Jos\xe9 \xff\xfe\n");
  EXPECT_EQ(value_of(f, "NAME"), "Jos\xe9 \xff\xfe");
}

TEST(Dotenv, CommentsBlankLinesAndExport) {
  auto f = parse_ok(
      "# full-line comment\n"
      "\n"
      "   \n"
      "  # indented comment\n"
      "A=1\n"
      "export B=two\n"
      "  export   C = three  \n");
  ASSERT_EQ(f.entries.size(), 3u);
  EXPECT_EQ(value_of(f, "A"), "1");
  EXPECT_EQ(value_of(f, "B"), "two");
  EXPECT_EQ(value_of(f, "C"), "three");
  EXPECT_EQ(f.find("A")->line, 5);
  EXPECT_EQ(f.find("B")->line, 6);
  EXPECT_EQ(f.find("C")->line, 7);
}

TEST(Dotenv, UnquotedValuesTrimmedAndInlineComments) {
  auto f = parse_ok(
      "A=  hello world   \n"
      "B=value # a comment\n"
      "C=value\t# tab comment\n"
      "D=no#comment\n"
      "E=\n"
      "F=url://x?a=b#frag\n");
  EXPECT_EQ(value_of(f, "A"), "hello world");
  EXPECT_EQ(value_of(f, "B"), "value");
  EXPECT_EQ(value_of(f, "C"), "value");
  EXPECT_EQ(value_of(f, "D"), "no#comment");
  EXPECT_EQ(value_of(f, "E"), "");
  EXPECT_EQ(value_of(f, "F"), "url://x?a=b#frag");
}

TEST(Dotenv, SingleQuotesAreLiteral) {
  auto f = parse_ok(
      "A='  spaced # not a comment  '\n"
      "B='${HOME} \\n stays'  # comment\n"
      "C='line1\n"
      "line2'\n"
      "D=after\n",
      {{"HOME", "/home/x"}});
  EXPECT_EQ(value_of(f, "A"), "  spaced # not a comment  ");
  EXPECT_EQ(value_of(f, "B"), "${HOME} \\n stays");
  EXPECT_EQ(value_of(f, "C"), "line1\nline2");
  EXPECT_EQ(f.find("D")->line, 5);
}

TEST(Dotenv, DoubleQuotesEscapesAndMultiLine) {
  auto f = parse_ok(
      "A=\"a\\nb\"\n"
      "B=\"say \\\"hi\\\" \\\\ done\"\n"
      "C=\"-----BEGIN KEY-----\n"
      "abc\n"
      "-----END KEY-----\"\n"
      "D=\"# not a comment\" # comment\n"
      "E=\"price \\$5\"\n"
      "F=\"\"\n"
      "G=last\n");
  EXPECT_EQ(value_of(f, "A"), "a\nb");
  EXPECT_EQ(value_of(f, "B"), "say \"hi\" \\ done");
  EXPECT_EQ(value_of(f, "C"), "-----BEGIN KEY-----\nabc\n-----END KEY-----");
  EXPECT_EQ(f.find("C")->line, 3);
  EXPECT_EQ(value_of(f, "D"), "# not a comment");
  EXPECT_EQ(value_of(f, "E"), "price $5");
  EXPECT_EQ(value_of(f, "F"), "");
  EXPECT_EQ(f.find("G")->line, 9);
}

TEST(Dotenv, ExpansionFromEarlierKeysThenProcessEnvironment) {
  auto f = parse_ok(
      "HOST=db.internal\n"
      "URL=postgres://${HOST}:5432/${DB_NAME}\n"
      "QUOTED=\"${HOST}/x\"\n"
      "LITERAL='${HOST}'\n"
      "MISSING=[${NOPE}]\n"
      "DEFAULTED=${NOPE:-fallback}\n"
      "USER_HOME=${HOME}\n"
      "HOME=/from/file\n"
      "AFTER=${HOME}\n"
      "NOT_REF=$HOST and ${unclosed\n",
      {{"DB_NAME", "portal"}, {"HOME", "/root"}});
  EXPECT_EQ(value_of(f, "URL"), "postgres://db.internal:5432/portal");
  EXPECT_EQ(value_of(f, "QUOTED"), "db.internal/x");
  EXPECT_EQ(value_of(f, "LITERAL"), "${HOST}");
  EXPECT_EQ(value_of(f, "MISSING"), "[]");
  EXPECT_EQ(value_of(f, "DEFAULTED"), "fallback");
  EXPECT_EQ(value_of(f, "USER_HOME"), "/root");  // the file's HOME is defined later
  EXPECT_EQ(value_of(f, "AFTER"), "/from/file");
  EXPECT_EQ(value_of(f, "NOT_REF"), "$HOST and ${unclosed");
}

TEST(Dotenv, RepeatedKeyKeepsLastValueAndLine) {
  auto f = parse_ok("A=1\nB=2\nA=3\n");
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(value_of(f, "A"), "3");
  EXPECT_EQ(f.find("A")->line, 3);
}

TEST(Dotenv, CrLfLineEndings) {
  auto f = parse_ok("A=1\r\nB=\"x\r\ny\"\r\nC=3");
  EXPECT_EQ(value_of(f, "A"), "1");
  EXPECT_EQ(value_of(f, "B"), "x\ny");
  EXPECT_EQ(value_of(f, "C"), "3");
  EXPECT_EQ(f.find("C")->line, 4);
}

TEST(Dotenv, KeyWithoutEqualsIsAnErrorWithItsLine) {
  std::string e = error_of("A=1\n\nSMTP_PASSWORD hunter2secret\n");
  EXPECT_EQ(e, ".env.production:3: expected KEY=VALUE (no '=' on this line)");
  EXPECT_EQ(e.find("hunter2secret"), std::string::npos);
}

TEST(Dotenv, UnterminatedQuotesNameTheLineTheyStartedOn) {
  EXPECT_EQ(error_of("A=1\nB=\"open\nC=2\nD=3\n"),
            ".env.production:2: unterminated double quote started here");
  EXPECT_EQ(error_of("A=1\n\n\nB='open\n"),
            ".env.production:4: unterminated single quote started here");
}

TEST(Dotenv, EveryMalformedLineIsReported) {
  std::string e = error_of(
      "GOOD=1\n"
      "no equals here\n"
      "1BAD=x\n"
      "MY.KEY=x\n"
      "=value\n"
      "Q='x' trailing\n"
      "OK=2\n");
  EXPECT_NE(e.find(".env.production:2: expected KEY=VALUE"), std::string::npos) << e;
  EXPECT_NE(e.find(".env.production:3: invalid key name"), std::string::npos) << e;
  EXPECT_NE(e.find(".env.production:4: invalid key name"), std::string::npos) << e;
  EXPECT_NE(e.find(".env.production:5: invalid key name"), std::string::npos) << e;
  EXPECT_NE(e.find(".env.production:6: unexpected text after the closing quote"), std::string::npos)
      << e;
  EXPECT_EQ(e.find(":1:"), std::string::npos);
  EXPECT_EQ(e.find(":7:"), std::string::npos);
}

TEST(Dotenv, EmptyTextAndNoTrailingNewline) {
  EXPECT_TRUE(parse_ok("").entries.empty());
  EXPECT_EQ(value_of(parse_ok("A=x"), "A"), "x");
  EXPECT_EQ(value_of(parse_ok("A='x'"), "A"), "x");
}

}  // namespace
}  // namespace golive
