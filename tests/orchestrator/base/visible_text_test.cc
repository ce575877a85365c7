#include "golive/visible_text.h"

#include <gtest/gtest.h>

namespace golive {
namespace {

TEST(Visible, TerminalControlSequencesBecomeVisibleText) {
  // OSC title, OSC 52 clipboard write, clear screen, carriage-return overwrite.
  const std::string evil = "\x1b]0;pwned\x07\x1b]52;c;cGF5bG9hZA==\x07\x1b[2J\rdone";
  const std::string out = visible(evil);
  EXPECT_EQ(out, "^[]0;pwned^G^[]52;c;cGF5bG9hZA==^G^[[2J^Mdone");
  for (char c : out) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << out;
}

TEST(Visible, NewlinesTabsDelAndC1Controls) {
  EXPECT_EQ(visible("a\nb\tc"), "a^Jb\tc");
  EXPECT_EQ(visible("a\nb", /*keep_newlines=*/true), "a\nb");
  EXPECT_EQ(visible("x\x7fy"), "x^?y");
  EXPECT_EQ(visible("\xc2\x9b"
                    "31m"),
            "<U+009B>31m");                                                    // C1 CSI
  EXPECT_EQ(visible("caf\xc3\xa9 \xe2\x9c\x93"), "caf\xc3\xa9 \xe2\x9c\x93");  // UTF-8 stays
}

}  // namespace
}  // namespace golive
