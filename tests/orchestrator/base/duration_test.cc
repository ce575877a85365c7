#include "golive/duration.h"

#include <gtest/gtest.h>

namespace golive {
namespace {

using namespace std::chrono_literals;

TEST(Duration, ParsesSingleUnits) {
  EXPECT_EQ(parse_duration("10m"), Millis(10min));
  EXPECT_EQ(parse_duration("90s"), Millis(90s));
  EXPECT_EQ(parse_duration("2h"), Millis(2h));
  EXPECT_EQ(parse_duration("250ms"), Millis(250ms));
}

TEST(Duration, ParsesCompoundLargestFirst) {
  EXPECT_EQ(parse_duration("1h30m"), Millis(90min));
  EXPECT_EQ(parse_duration("1m30s"), Millis(90s));
  EXPECT_EQ(parse_duration("1h2m3s4ms"), Millis(1h + 2min + 3s + 4ms));
}

TEST(Duration, RejectsMalformed) {
  for (const char* bad : {"10 minutes", "-5s", "", "5", "1.5h", "10 m", " 10m", "10m ", "m", "10x",
                          "30m1h", "1m1m", "0s", "0ms", "+5s", "5S", "1e3s", "ms10"}) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << "accepted `" << bad << "`";
  }
}

TEST(Duration, RejectsOverflowInsteadOfWrapping) {
  EXPECT_EQ(parse_duration("99999999999999999999999h"), std::nullopt);
  EXPECT_EQ(parse_duration("9223372036854775807ms"), std::nullopt);
  EXPECT_EQ(parse_duration("3000000h"), std::nullopt);
  EXPECT_EQ(parse_duration("87600h1ms"), std::nullopt);  // one past the ten-year bound
  EXPECT_EQ(parse_duration("87600h"), Millis(87600h));
}

TEST(Duration, FormatsCompactly) {
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(2h), "2h");
  EXPECT_EQ(format_duration(1h + 5s), "1h5s");
  EXPECT_EQ(format_duration(Millis(0)), "0s");
  EXPECT_EQ(format_duration(Millis(-1500)), "-1s500ms");
}

TEST(Duration, FormatRoundTripsThroughParse) {
  for (Millis d : {Millis(1), Millis(999), Millis(61'001), Millis(3'600'000), Millis(5'025'250)}) {
    EXPECT_EQ(parse_duration(format_duration(d)), d) << format_duration(d);
  }
}

TEST(Duration, FormatsElapsedTimesForTables) {
  EXPECT_EQ(format_elapsed(Millis(45'900)), "45s");
  EXPECT_EQ(format_elapsed(Millis(123'000)), "2m03s");
  EXPECT_EQ(format_elapsed(Millis(3'720'000)), "1h02m");
  EXPECT_EQ(format_elapsed(Millis(-1)), "-");
}

TEST(Duration, FormatsSeconds) {
  EXPECT_EQ(format_seconds(Millis(1250), 3), "1.250");
  EXPECT_EQ(format_seconds(Millis(1250), 1), "1.2");
  EXPECT_EQ(format_seconds(Millis(0), 3), "0.000");
}

}  // namespace
}  // namespace golive
