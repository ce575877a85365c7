// Issue 19: golive installs as a package. CPack builds a .deb from this build tree; unpacked into
// a scratch root it runs, names its commit, and its bash completion loads; `cmake --install`
// lays out the same files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "golive/interpolate.h"
#include "golive/shell_quote.h"
#include "tests/harness/scenario.h"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

std::string build_dir() {
  return fs::path(GOLIVE_BINARY).parent_path().string();
}

std::string scratch(const std::string& name) {
  std::string dir =
      fs::temp_directory_path() / ("golive-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(PackageScenario, DebInstallsAWorkingBinaryWithCompletion) {
  const std::string out = scratch("deb");
  int rc = -1;
  const std::string log = Scenario::sh(
      "cd " + shell_quote(build_dir()) + " && cpack -G DEB -B " + shell_quote(out) + " 2>&1", &rc);
  ASSERT_EQ(rc, 0) << log;
  const std::string deb = Scenario::sh("ls " + shell_quote(out) + "/golive_*.deb");
  ASSERT_FALSE(deb.empty()) << log;
  const std::string depends = Scenario::sh("dpkg-deb -f " + shell_quote(deb) + " Depends");
  for (const char* lib : {"libssh-4", "libgit2", "libsqlite3-0", "libcurl4", "libyaml-cpp"}) {
    EXPECT_NE(depends.find(lib), std::string::npos) << lib << " missing from: " << depends;
  }
  const std::string root = out + "/root";
  ASSERT_EQ(std::system(("dpkg -x " + shell_quote(deb) + " " + shell_quote(root)).c_str()), 0);

  const std::string version = Scenario::sh(shell_quote(root + "/usr/bin/golive") + " --version");
  const std::string head =
      Scenario::sh("git -C " + shell_quote(GOLIVE_SOURCE_DIR) + " rev-parse HEAD");
  EXPECT_TRUE(version.starts_with("golive 0.1.0 (commit " + head)) << version << " vs " << head;

  const std::string completion = root + "/usr/share/bash-completion/completions/golive";
  EXPECT_EQ(Scenario::sh("bash -c " + shell_quote("source " + shell_quote(completion) +
                                                  " && complete -p golive")),
            "complete -F _golive golive");
  // It completes commands, and environments from the runbook in the current directory.
  EXPECT_EQ(Scenario::sh("cd " + shell_quote(std::string(GOLIVE_SOURCE_DIR) + "/examples/portal") +
                         " && bash -c " +
                         shell_quote("source " + shell_quote(completion) +
                                     " && COMP_WORDS=(golive dep) COMP_CWORD=1 && _golive && "
                                     "echo ${COMPREPLY[@]} && COMP_WORDS=(golive deploy pro) "
                                     "COMP_CWORD=2 && _golive && echo ${COMPREPLY[@]}")),
            "deploy\nproduction");
  EXPECT_TRUE(fs::exists(root + "/usr/share/man/man1/golive.1"));
  EXPECT_TRUE(fs::exists(root + "/usr/share/zsh/vendor-completions/_golive"));
  EXPECT_NE(Scenario::read_file(root + "/usr/share/man/man1/golive.1").find(".SS deploy"),
            std::string::npos);
  fs::remove_all(out);
}

TEST(PackageScenario, CmakeInstallLaysOutBinaryManPageAndCompletions) {
  const std::string prefix = scratch("install");
  int rc = -1;
  const std::string log = Scenario::sh(
      "cmake --install " + shell_quote(build_dir()) + " --prefix " + shell_quote(prefix) + " 2>&1",
      &rc);
  ASSERT_EQ(rc, 0) << log;
  for (const char* f :
       {"/bin/golive", "/share/man/man1/golive.1", "/share/bash-completion/completions/golive",
        "/share/zsh/vendor-completions/_golive", "/share/doc/golive/ci.md"}) {
    EXPECT_TRUE(fs::exists(prefix + f)) << f << "\n" << log;
  }
  EXPECT_EQ(Scenario::sh(shell_quote(prefix + "/bin/golive") + " completion bash"),
            Scenario::sh(shell_quote(GOLIVE_BINARY) + " completion bash"));
  fs::remove_all(prefix);
}

}  // namespace
}  // namespace golive::testing
