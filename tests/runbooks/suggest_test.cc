#include "runbooks/suggest.h"

#include <gtest/gtest.h>

#include <array>

namespace golive {
namespace {

constexpr std::array<std::string_view, 4> kKeys{"timeout", "name", "run", "undo"};

TEST(Suggest, EditDistanceCountsTranspositionsOnce) {
  EXPECT_EQ(edit_distance("timeout", "timeout"), 0u);
  EXPECT_EQ(edit_distance("timout", "timeout"), 1u);
  EXPECT_EQ(edit_distance("tiemout", "timeout"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
}

TEST(Suggest, SuggestsCloseKeysOnly) {
  EXPECT_EQ(did_you_mean("timout", kKeys), " (did you mean `timeout`?)");
  EXPECT_EQ(did_you_mean("Timeout", kKeys), " (did you mean `timeout`?)");
  EXPECT_EQ(did_you_mean("nmae", kKeys), " (did you mean `name`?)");
  EXPECT_EQ(did_you_mean("completely_else", kKeys), "");
  EXPECT_EQ(did_you_mean("x", kKeys), "");
}

}  // namespace
}  // namespace golive
