// Issue 17, hostile input beyond the loader's, through the real binary: an env file with a
// 100 MB value, NUL bytes or invalid UTF-8; an artifact of 10,000 files and one with a symlink
// out of the export; a ref that does not exist; a host whose releases.log holds garbage. Each
// ends with a clear error (or a clean success), a documented exit code, and no host changed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/harness/scenario.h"
#include "tests/scenarios/scenario_helpers.h"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

void append(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::app | std::ios::binary) << bytes;
}

void expect_untouched(Scenario& s) {
  for (int k = 1; k <= s.hosts(); ++k) EXPECT_FALSE(s.touched(k)) << "web" << k;
}

TEST(HostileInputScenario, EnvFileWithA100MbValueIsRefusedBeforeAnyHost) {
  Scenario s(1);
  {
    std::ofstream out(s.repo() + "/.env.staging", std::ios::app | std::ios::binary);
    out << "HUGE=";
    const std::string chunk(1 << 20, 'x');
    for (int i = 0; i < 100; ++i) out << chunk;
    out << "\n";
  }
  s.commit("a 100 MB value");
  GoliveRun run = s.golive({"deploy", "staging"});
  EXPECT_EQ(run.exit_code, 3) << run.all().substr(0, 2000);
  EXPECT_TRUE(contains(run.all(), ".env.staging")) << run.all().substr(0, 2000);
  EXPECT_TRUE(contains(run.all(), "4 MiB")) << run.all().substr(0, 2000);
  EXPECT_LT(run.all().size(), 10000u) << "the value must not be echoed";
  expect_untouched(s);
}

TEST(HostileInputScenario, EnvFileWithNulBytesIsRefusedNamingTheLine) {
  Scenario s(1);
  append(s.repo() + "/.env.staging", std::string("NULLY=abc\0def\n", 14));
  s.commit("a NUL byte in a value");
  GoliveRun run = s.golive({"deploy", "staging"});
  EXPECT_EQ(run.exit_code, 3) << run.all();
  EXPECT_TRUE(contains(run.all(), ".env.staging:")) << run.all();
  EXPECT_TRUE(contains(run.all(), "NUL")) << run.all();
  expect_untouched(s);
}

TEST(HostileInputScenario, EnvFileWithInvalidUtf8DeploysAndNeverPrintsTheValue) {
  Scenario s(1);
  append(s.repo() + "/.env.staging", "LATIN1_NAME=Jos\xe9 \xff\xfe\n");
  s.commit("latin-1 bytes in a value");
  GoliveRun run = s.golive({"deploy", "staging", "--json"});
  EXPECT_EQ(run.exit_code, 0) << run.all();
  EXPECT_FALSE(contains(run.all(), "Jos\xe9")) << run.all();
  EXPECT_TRUE(contains(Scenario::read_file(s.root(1) + "/shared/.env"), "Jos\xe9 \xff\xfe"));
}

TEST(HostileInputScenario, ArtifactOf10000FilesShipsWhole) {
  Scenario s(2);
  s.write("bin/build", Scenario::read_file(s.repo() + "/bin/build") +
                           "mkdir -p dist/many && cd dist/many && seq 1 10000 | xargs touch\n");
  s.commit("10,000 files");
  GoliveRun run = s.golive({"deploy", "staging", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.all();
  for (int k = 1; k <= 2; ++k) {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(s.root(k) + "/current/many"))
      n += e.is_regular_file();
    EXPECT_EQ(n, 10000u) << "web" << k;
  }
}

TEST(HostileInputScenario, ArtifactSymlinkOutOfTheExportIsRefused) {
  Scenario s(1);
  const std::string build = Scenario::read_file(s.repo() + "/bin/build");
  s.write("bin/build", build + "ln -s ../../../../etc/passwd dist/app/passwd\n");
  s.commit("a symlink out of the export");
  GoliveRun run = s.golive({"deploy", "staging"});
  EXPECT_EQ(run.exit_code, 3) << run.all();
  EXPECT_TRUE(contains(run.all(),
                       "app/passwd -> ../../../../etc/passwd points outside the "
                       "artifact"))
      << run.all();
  expect_untouched(s);
  // An absolute one too; a link inside the artifact still ships.
  s.write("bin/build", build + "ln -s /etc/shadow dist/shadow\n");
  s.commit("absolute");
  EXPECT_EQ(s.golive({"deploy", "staging"}).exit_code, 3);
  expect_untouched(s);
  s.write("bin/build", build + "ln -s ../VERSION dist/app/VERSION.link\n");
  s.commit("inside");
  GoliveRun ok = s.golive({"deploy", "staging"});
  EXPECT_EQ(ok.exit_code, 0) << ok.all();
}

TEST(HostileInputScenario, RefThatDoesNotExistIsAUsageErrorNamingIt) {
  Scenario s(1);
  GoliveRun run = s.golive({"deploy", "staging", "--ref", "no-such-branch-0000"});
  EXPECT_EQ(run.exit_code, 2) << run.all();
  EXPECT_TRUE(contains(run.all(), "no-such-branch-0000")) << run.all();
  expect_untouched(s);
}

TEST(HostileInputScenario, GarbageLinesInAHostsReleasesLogAreSkipped) {
  Scenario s(2);
  const std::string v1 = deploy_ok(s);
  std::string garbage = "not json\n{\"event\":\"deploy\"\n\x00\xff\xfe garbage\n[1,2,3]\n";
  garbage += "{\"event\":\"deploy\",\"id\":17,\"commit\":null}\n";
  garbage += std::string(1 << 20, '{') + "\n";  // a megabyte of nesting
  append(s.root(1) + "/.golive/releases.log", garbage);
  fs::remove(s.ledger());  // a fresh ledger: sync must rebuild it from the hosts
  GoliveRun sync = s.golive({"ledger", "sync", "staging"});
  EXPECT_EQ(sync.exit_code, 0) << sync.all();
  EXPECT_TRUE(contains(sync.all(), "1 release(s) imported")) << sync.all();
  EXPECT_EQ(status_in_history(s, v1), "succeeded");
  GoliveRun releases = s.golive({"releases", "staging"});
  EXPECT_EQ(releases.exit_code, 0) << releases.all();
  GoliveRun next = s.golive({"deploy", "staging", "--json"});
  EXPECT_EQ(next.exit_code, 0) << next.all();
}

}  // namespace
}  // namespace golive::testing
