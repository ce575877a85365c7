#include "orchestrator/adapters/json/json.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace golive {
namespace {

TEST(Json, LiteralOfPairsIsAnObjectOtherwiseAnArray) {
  Json obj = {{"b", 1}, {"a", "x"}};
  EXPECT_TRUE(obj.is_object());
  EXPECT_EQ(obj.size(), 2u);
  Json arr = {1, "two", true};
  EXPECT_TRUE(arr.is_array());
  Json pairs_of_numbers = {{1, 2}, {3, 4}};
  EXPECT_TRUE(pairs_of_numbers.is_array());
  EXPECT_EQ(pairs_of_numbers.dump(), "[[1,2],[3,4]]");
  EXPECT_TRUE(Json().is_null());
  EXPECT_EQ(Json::array().dump(), "[]");
  EXPECT_EQ(Json::object().dump(), "{}");
}

TEST(Json, CanonicalDumpSortsKeysIsCompactAndKeepsUtf8) {
  Json j = {{"zeta", 1},
            {"alpha", {{"y", true}, {"x", nullptr}}},
            {"mid", std::vector<std::string>{"b", "a"}},
            {"text", "caf\xc3\xa9 \"q\" \\ \t\n\x01"}};
  EXPECT_EQ(j.dump(),
            R"({"alpha":{"x":null,"y":true},"mid":["b","a"],"text":"café \"q\" \\ \t\n\u0001",)"
            R"("zeta":1})");
}

TEST(Json, InvalidUtf8IsReplacedNotThrown) {
  Json j = {{"tail", std::string("ok \xff\xfe end")}};
  EXPECT_EQ(j.dump(), "{\"tail\":\"ok \xef\xbf\xbd\xef\xbf\xbd end\"}");
}

TEST(Json, NumbersKeepTheirKind) {
  Json j = {{"neg", std::int64_t{-1}},
            {"big", std::numeric_limits<std::uint64_t>::max()},
            {"min", std::numeric_limits<std::int64_t>::min()},
            {"half", 0.5},
            {"int", 42}};
  EXPECT_EQ(j.dump(),
            R"({"big":18446744073709551615,"half":0.5,"int":42,"min":-9223372036854775808,)"
            R"("neg":-1})");
  EXPECT_TRUE(j.at("int").is_integer());
  EXPECT_FALSE(j.at("half").is_integer());
  EXPECT_EQ(j.at("neg").as_int(), -1);
  EXPECT_DOUBLE_EQ(j.at("half").as_double(), 0.5);
}

TEST(Json, PrettyDumpIndents) {
  Json j = {{"a", Json::array()}, {"b", {1}}};
  EXPECT_EQ(j.dump(2), "{\n  \"a\": [],\n  \"b\": [\n    1\n  ]\n}");
}

TEST(Json, ParseRoundTripsTheCanonicalText) {
  const std::string text =
      R"({"a":[1,-2,3.25,"s",null,true],"b":{"c":"é"},"n":18446744073709551615})";
  auto j = Json::parse(text);
  ASSERT_TRUE(j) << j.error().message;
  EXPECT_EQ(j->dump(), text);
  EXPECT_EQ(j->at("b").at("c").as_string(), "é");
  EXPECT_EQ(j->at("a").elements().size(), 6u);
}

TEST(Json, ParseErrorSaysWhere) {
  auto j = Json::parse("{\"a\": }");
  ASSERT_FALSE(j);
  EXPECT_NE(j.error().message.find("parse error"), std::string::npos) << j.error().message;
  EXPECT_FALSE(Json::parse(""));
  EXPECT_FALSE(Json::parse("{\"a\":1} trailing"));
}

TEST(Json, ObjectAccess) {
  Json j;
  j["b"] = 2;
  j["a"]["nested"] = "x";
  j["list"].push_back(1);
  j["list"].push_back({{"k", "v"}});
  EXPECT_EQ(j.dump(), R"({"a":{"nested":"x"},"b":2,"list":[1,{"k":"v"}]})");
  EXPECT_TRUE(j.contains("a"));
  EXPECT_FALSE(j.contains("zz"));
  EXPECT_EQ(j.find("zz"), nullptr);
  EXPECT_THROW((void)j.at("zz"), std::out_of_range);
  EXPECT_THROW((void)j.at("b").as_string(), std::logic_error);
  std::string keys;
  for (const auto& [key, value] : j.members()) keys += key;
  EXPECT_EQ(keys, "ablist");
  EXPECT_EQ(Json(5).find("a"), nullptr);
}

TEST(Json, EqualityComparesNumbersByValue) {
  auto parsed = Json::parse(R"({"n":5,"s":"x"})");
  ASSERT_TRUE(parsed);
  Json built = {{"n", std::int64_t{5}}, {"s", "x"}};
  EXPECT_EQ(*parsed, built);
  EXPECT_NE(*parsed, (Json{{"n", 6}, {"s", "x"}}));
}

}  // namespace
}  // namespace golive
