#include "orchestrator/adapters/log/log_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace golive {
namespace {

namespace fs = std::filesystem;

class LogFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "golive-logfile-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
  }
  void TearDown() override { fs::remove_all(dir); }
  static std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  fs::path dir;
};

TEST_F(LogFileTest, WritesTimestampedLinesCreatingParentDirectories) {
  const fs::path path = dir / "logs" / "deep" / "golive.log";
  auto log = LogFile::open({.path = path.string()});
  ASSERT_TRUE(log) << log.error().message;
  (*log)->write("first line");
  (*log)->write("second {} line");  // braces are text, not a format
  const std::string text = slurp(path);
  // "2026-12-01T05:49:30.123Z first line\n"
  ASSERT_GE(text.size(), 25u) << text;
  EXPECT_EQ(text[4], '-');
  EXPECT_EQ(text[10], 'T');
  EXPECT_EQ(text.substr(23, 13), "Z first line\n") << text;
  EXPECT_NE(text.find("Z second {} line\n"), std::string::npos) << text;
}

TEST_F(LogFileTest, RotatesPastTheSizeLimit) {
  const fs::path path = dir / "golive.log";
  auto log = LogFile::open({.path = path.string(), .max_bytes = 1000, .max_files = 2});
  ASSERT_TRUE(log) << log.error().message;
  for (int i = 0; i < 100; ++i) (*log)->write(std::string(50, 'x'));
  EXPECT_TRUE(fs::exists(dir / "golive.1.log"));
  EXPECT_LE(fs::file_size(path), 1000u);
}

TEST_F(LogFileTest, UnwritablePathIsAnError) {
  std::ofstream(dir / "file") << "x";
  auto log = LogFile::open({.path = (dir / "file" / "golive.log").string()});
  ASSERT_FALSE(log);
  EXPECT_NE(log.error().message.find("cannot open log file"), std::string::npos);
}

}  // namespace
}  // namespace golive
