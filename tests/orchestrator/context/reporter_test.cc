#include "orchestrator/context/reporter.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace golive {
namespace {

namespace fs = std::filesystem;

TEST(Reporter, LogFileGetsEveryLineRedactedAndPrefixed) {
  std::string tmpl = (fs::temp_directory_path() / "golive-reporter-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const fs::path log = fs::path(tmpl) / "run" / "golive.log";
  Redactor redactor;
  redactor.add("DB_PASSWORD", "hunter2-very-secret");
  {
    Reporter reporter(redactor, {.quiet = true, .log_file = log.string()});
    reporter.detail("connecting with hunter2-very-secret");
    reporter.warn("slow host");
  }
  std::ifstream in(log);
  std::stringstream s;
  s << in.rdbuf();
  const std::string text = s.str();
  fs::remove_all(tmpl);
  EXPECT_EQ(text.find("hunter2-very-secret"), std::string::npos) << text;
  EXPECT_NE(text.find("Z connecting with [REDACTED:DB_PASSWORD]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Z warning: slow host\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace golive
