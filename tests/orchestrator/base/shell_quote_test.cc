#include "golive/shell_quote.h"

#include <gtest/gtest.h>

namespace golive {
namespace {

TEST(ShellQuote, QuotesEverything) {
  EXPECT_EQ(shell_quote("abc"), "'abc'");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("$(rm -rf /) `x` \"y\""), "'$(rm -rf /) `x` \"y\"'");
}

}  // namespace
}  // namespace golive
