// Redeploys through the real binary ship a delta (issue 16): unchanged files of the live release
// are reused as hard links, a corrupted stream fails the deploy before any host switches.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "tests/harness/scenario.h"

namespace golive::testing {
namespace {

ino_t inode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(DeltaScenario, ARedeployReusesUnchangedFilesAndACorruptStreamSwitchesNothing) {
  Scenario s(3);
  GoliveRun first = s.golive({"deploy", "staging"});
  ASSERT_EQ(first.exit_code, 0) << first.all();
  const std::string v1 = s.current(1);
  s.write("app/static/style.css", "body { color: teal; }\n");
  s.commit("restyle");
  GoliveRun second = s.golive({"deploy", "staging"});
  ASSERT_EQ(second.exit_code, 0) << second.all();
  const std::string v2 = s.current(1);
  ASSERT_NE(v1, v2);
  for (int k = 1; k <= 3; ++k) {
    const std::string r1 = s.root(k) + "/releases/" + v1, r2 = s.root(k) + "/releases/" + v2;
    EXPECT_EQ(s.current(k), v2);
    EXPECT_EQ(inode(r2 + "/app/static/app.js"), inode(r1 + "/app/static/app.js")) << "web" << k;
    EXPECT_NE(inode(r2 + "/app/static/style.css"), inode(r1 + "/app/static/style.css"));
    EXPECT_EQ(read(r2 + "/app/static/style.css"), "body { color: teal; }\n");
  }

  s.write("app/static/style.css", "body { color: navy; }\n");
  s.commit("restyle again");
  GoliveRun corrupt = s.golive({"deploy", "staging"}, {{"GOLIVE_TEST_CORRUPT_UPLOAD", "web2"}});
  EXPECT_NE(corrupt.exit_code, 0) << corrupt.all();
  EXPECT_NE(corrupt.all().find("corrupt"), std::string::npos) << corrupt.all();
  for (int k = 1; k <= 3; ++k) EXPECT_EQ(s.current(k), v2) << "web" << k;

  // --full-upload ships everything: nothing shared with the live release.
  GoliveRun full = s.golive({"deploy", "staging", "--full-upload"});
  ASSERT_EQ(full.exit_code, 0) << full.all();
  const std::string v4 = s.current(1);
  EXPECT_NE(inode(s.root(1) + "/releases/" + v4 + "/app/static/app.js"),
            inode(s.root(1) + "/releases/" + v2 + "/app/static/app.js"));
}

}  // namespace
}  // namespace golive::testing
