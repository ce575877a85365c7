#include "orchestrator/adapters/regex/regex.h"

#include <gtest/gtest.h>

namespace golive {
namespace {

TEST(Regex, InvalidPatternIsAnErrorWithAMessage) {
  auto re = Regex::compile("a(b");
  ASSERT_FALSE(re);
  EXPECT_NE(re.error().message.find("missing )"), std::string::npos) << re.error().message;
}

TEST(Regex, FullAndPartialMatch) {
  auto re = Regex::compile("[0-9]+");
  ASSERT_TRUE(re);
  EXPECT_TRUE(re->full_match("123"));
  EXPECT_FALSE(re->full_match("a123"));
  EXPECT_TRUE(re->partial_match("a123b"));
  EXPECT_FALSE(re->partial_match("abc"));
  EXPECT_EQ(re->pattern(), "[0-9]+");
}

TEST(Regex, FindFromAnOffsetGivesByteRanges) {
  auto re = Regex::compile("ab+");
  ASSERT_TRUE(re);
  auto m = re->find("xxabbyab", 0);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->begin, 2u);
  EXPECT_EQ(m->end, 5u);
  m = re->find("xxabbyab", 3);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->begin, 6u);
  EXPECT_EQ(m->end, 8u);
  EXPECT_FALSE(re->find("xxabbyab", 8));
  EXPECT_FALSE(re->find("xxabbyab", 100));
}

TEST(Regex, FindSeesContextBeforeTheOffset) {
  auto re = Regex::compile(R"(\bword)");
  ASSERT_TRUE(re);
  EXPECT_FALSE(re->find("aword", 1));  // no word boundary between 'a' and 'w'
  EXPECT_TRUE(re->find("a word", 1));
}

TEST(Regex, Latin1MatchesSingleBytesUtf8MatchesCharacters) {
  const std::string text = "\xc3\xa9";  // é in UTF-8: two bytes
  RegexOptions latin1;
  latin1.encoding = RegexOptions::Encoding::kLatin1;
  auto bytes = Regex::compile("^..$", latin1);
  auto chars = Regex::compile("^.$");
  ASSERT_TRUE(bytes && chars);
  EXPECT_TRUE(bytes->partial_match(text));
  EXPECT_TRUE(chars->partial_match(text));
  auto high = Regex::compile("\xff", latin1);  // a raw byte, not valid UTF-8
  ASSERT_TRUE(high);
  EXPECT_TRUE(high->partial_match(std::string("a\xff")));
}

TEST(Regex, LongestMatchPrefersTheLongerAlternative) {
  RegexOptions longest;
  longest.longest_match = true;
  auto first = Regex::compile("ab|abcd");
  auto best = Regex::compile("ab|abcd", longest);
  ASSERT_TRUE(first && best);
  EXPECT_EQ(first->find("abcd")->end, 2u);
  EXPECT_EQ(best->find("abcd")->end, 4u);
}

TEST(Regex, QuoteMetaMatchesTheLiteralItself) {
  const std::string literal = "a.b*c(d)[e]+$^\\";
  auto re = Regex::compile(Regex::quote_meta(literal));
  ASSERT_TRUE(re);
  EXPECT_TRUE(re->full_match(literal));
  EXPECT_FALSE(re->full_match("aXb*c(d)[e]+$^\\"));
}

TEST(RegexSet, ReportsWhichPatternsOccur) {
  RegexSet set;
  ASSERT_TRUE(set.add("foo"));
  ASSERT_TRUE(set.add("ba[rz]"));
  ASSERT_TRUE(set.add("qux"));
  ASSERT_TRUE(set.compile());
  std::vector<int> ids;
  ASSERT_EQ(set.match("a baz and foo", ids), RegexSet::Outcome::kHit);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<int>{0, 1}));
  EXPECT_EQ(set.match("nothing", ids), RegexSet::Outcome::kNone);
}

TEST(RegexSet, InvalidPatternIsAnError) {
  RegexSet set;
  auto st = set.add("(");
  ASSERT_FALSE(st);
  EXPECT_FALSE(st.error().message.empty());
}

}  // namespace
}  // namespace golive
