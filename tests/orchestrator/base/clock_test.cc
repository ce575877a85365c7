#include "golive/clock.h"

#include <gtest/gtest.h>

namespace golive {

TEST(Iso8601, FormatsUtcSeconds) {
  EXPECT_EQ(iso8601(std::chrono::system_clock::time_point{}), "1970-01-01T00:00:00Z");
}

}  // namespace golive
