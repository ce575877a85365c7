// Hostile and broken input: every case ends in a clear error, never a crash or hang.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "golive/runbook_loader.h"
#include "tests/harness/scoped_temp_dir.h"
#include "tests/harness/time_scale.h"
#include "tests/runbooks/runbook_test_support.h"

namespace golive {
namespace {

using testing_support::all_errors;
using testing_support::HasError;
using testing_support::HasErrorContaining;
using testing_support::kMinimalRunbook;

LoadResult load(const std::string& yaml) {
  return load_runbook_text(yaml, "golive.yml");
}

// Runs `f` and fails the test when it takes longer than `limit`.
template <class F>
auto timed(F f, std::chrono::milliseconds limit = std::chrono::seconds(3)) {
  const auto start = std::chrono::steady_clock::now();
  auto result = f();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, golive::testing::scaled(limit))
      << "took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << "ms";
  return result;
}

using testing::ScopedTempDir;

TEST(HostileInput, EmptyFile) {
  const auto r = load("");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_TRUE(HasError(r, 1, 1, "", "the runbook is empty"));
  EXPECT_TRUE(HasError(load("# only a comment\n\n"), 1, 1, "", "the runbook is empty"));
}

// Found by the runbook_loader fuzz target: yaml-cpp 0.7's LoadAll never returned on a file that
// starts with `,` (its parser kept yielding documents). Now an error with a position, at once.
TEST(HostileInput, LeadingCommaIsAnErrorNotAnEndlessLoop) {
  const auto r = timed([] { return load(",ersion: 1\n"); });
  EXPECT_FALSE(r.errors.empty());
  EXPECT_TRUE(HasErrorContaining(r, "more than one YAML document")) << all_errors(r);
}

TEST(HostileInput, NotAMapping) {
  EXPECT_TRUE(HasError(load("- a\n- b\n"), 1, 1, "", "expected a mapping of keys"));
  EXPECT_TRUE(HasError(load("just text\n"), 1, 1, "", "expected a mapping of keys"));
}

TEST(HostileInput, BinaryGarbage) {
  std::mt19937 rng(42);
  std::string garbage(64 * 1024, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng() & 0xff);
  const auto r = timed([&] { return load(garbage); });
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_FALSE(r.runbook);
  EXPECT_GE(r.errors[0].line, 1);
}

TEST(HostileInput, NulByteIsNamedWithPosition) {
  const auto r = load(std::string("version: 1\napp: po\0rtal\n", 24));
  EXPECT_TRUE(HasError(r, 2, 8, "", "non-printable character U+0000"));
}

TEST(HostileInput, NonUtf8BytesAreNamedWithPosition) {
  const auto r = load("version: 1\napp: caf\xe9\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_TRUE(HasError(r, 2, 9, "", "invalid UTF-8 (byte 0xe9)"));
  // Overlong encodings and UTF-16 surrogates are not UTF-8 either.
  EXPECT_TRUE(HasErrorContaining(load("app: \xc0\xaf\n"), "invalid UTF-8"));
  EXPECT_TRUE(HasErrorContaining(load("app: \xed\xa0\x80\n"), "invalid UTF-8"));
  // A truncated sequence at the very end.
  EXPECT_TRUE(HasErrorContaining(load("app: \xe2\x82"), "invalid UTF-8"));
}

TEST(HostileInput, ValidUtf8AndBomAreFine) {
  auto text = kMinimalRunbook;
  text.replace(text.find("app: portal"), 11, "app: portal # café ✓ 🚀");
  EXPECT_TRUE(testing_support::LoadsCleanly(load("\xEF\xBB\xBF" + text)));
}

TEST(HostileInput, TabIndentationIsAYamlErrorWithPosition) {
  const auto r = load("version: 1\nenvironments:\n\tstaging: {}\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_TRUE(HasError(r, 3, 1, "", "tab character in indentation"));
  const auto r2 = load("version: 1\nsteps:\n  - name: a\n  \trun: x\n");
  EXPECT_TRUE(HasErrorContaining(r2, "tab"));
  EXPECT_EQ(r2.errors.at(0).line, 4) << all_errors(r2);
}

TEST(HostileInput, YamlSyntaxErrorHasPosition) {
  const auto r = load("version: 1\napp: [unclosed\nsteps: x\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_NE(r.errors[0].message.find("YAML syntax error"), std::string::npos);
  EXPECT_GE(r.errors[0].line, 2);
  const auto alias = load("version: 1\napp: *nowhere\n");
  EXPECT_TRUE(HasErrorContaining(alias, "anchor"));
}

TEST(HostileInput, SeveralDocuments) {
  const auto r = load(kMinimalRunbook + "---\nversion: 1\n");
  EXPECT_TRUE(HasErrorContaining(r, "more than one YAML document"));
}

TEST(HostileInput, OversizedFileIsRefusedWithoutReadingIt) {
  ScopedTempDir dir;
  const auto path = dir.file("golive.yml");
  {
    // A sparse 50 MB file: cheap to create, and it would be slow to read in full.
    const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, 50 * 1024 * 1024), 0);
    ::close(fd);
  }
  const auto r = timed([&] { return load_runbook_file(path); }, std::chrono::milliseconds(500));
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_NE(r.errors[0].message.find("larger than 1 MiB"), std::string::npos);
  EXPECT_EQ(r.errors[0].file, path);
}

TEST(HostileInput, EndlessStreamIsRefusedAtTheCap) {
  const auto r = timed([] { return load_runbook_file("/dev/zero"); });
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_NE(r.errors[0].message.find("larger than 1 MiB"), std::string::npos);
}

TEST(HostileInput, OversizedTextIsRefused) {
  const std::string big(2 * 1024 * 1024, '#');
  const auto r = load(big);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("larger than 1 MiB"), std::string::npos);
}

TEST(HostileInput, DeeplyNestedFlowSequences) {
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  const auto r = timed([&] { return load(deep); });
  ASSERT_FALSE(r.errors.empty());
  EXPECT_TRUE(HasErrorContaining(r, "nested too deeply")) << all_errors(r);
  const auto unclosed = timed([] { return load("app: " + std::string(100'000, '{')); });
  EXPECT_FALSE(unclosed.errors.empty());
}

TEST(HostileInput, NestingWithinParserLimitsIsStillCapped) {
  // Deeper than any runbook needs but shallow enough for the parser: our own depth cap answers.
  const std::string deep = "app: " + std::string(200, '[') + std::string(200, ']') + "\n";
  const auto r = timed([&] { return load(deep); });
  EXPECT_TRUE(HasErrorContaining(r, "levels deep")) << all_errors(r);
}

TEST(HostileInput, BillionLaughsIsNeverExpanded) {
  std::string bomb =
      "version: 1\na: &a "
      "[\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) bomb += std::string(i ? "," : "") + "*" + prev;
    bomb += "]\n";
    prev = c;
  }
  const auto r = timed([&] { return load(bomb); });
  EXPECT_TRUE(HasErrorContaining(r, "alias bomb")) << all_errors(r);
  EXPECT_LE(r.errors.size(), 2u) << all_errors(r);
}

TEST(HostileInput, AliasBombInsideAKnownKey) {
  std::string bomb = "x: &x [1,1,1,1,1,1,1,1,1,1]\n";
  for (int i = 0; i < 6; ++i) {
    bomb += "x" + std::to_string(i) + ": &x" + std::to_string(i) + " [";
    const std::string prev = i == 0 ? "x" : "x" + std::to_string(i - 1);
    for (int k = 0; k < 10; ++k) bomb += std::string(k ? "," : "") + "*" + prev;
    bomb += "]\n";
  }
  bomb = "version: 1\n" + bomb + "env:\n  secrets: *x5\n";
  const auto r = timed([&] { return load(bomb); });
  EXPECT_TRUE(HasErrorContaining(r, "alias bomb")) << all_errors(r);
}

TEST(HostileInput, SmallAliasesAreFine) {
  const auto r = load(R"(version: 1
app: portal
environments:
  staging:
    hosts: &hosts [ { name: web1, address: 127.0.0.11 } ]
  production:
    hosts: *hosts
release: { path: /srv/portal }
steps:
  - &switch { name: switch, switch: current }
)");
  EXPECT_TRUE(testing_support::LoadsCleanly(r));
}

TEST(HostileInput, ErrorFloodIsCapped) {
  std::string text = kMinimalRunbook + "checks:\n";
  for (int i = 0; i < 1000; ++i) text += "  - { name: c" + std::to_string(i) + ", nope: 1 }\n";
  const auto r = timed([&] { return load(text); });
  ASSERT_EQ(r.errors.size(), 201u);
  EXPECT_NE(r.errors.back().message.find("more errors not shown"), std::string::npos);
}

TEST(HostileInput, MergeKeysAreNamedAsUnsupported) {
  const auto r = load(kMinimalRunbook + "gate:\n  <<: { window: 1m }\n");
  EXPECT_TRUE(HasError(r, 11, 3, "gate.<<", "YAML merge keys are not supported"));
}

TEST(HostileInput, NonStringKeys) {
  const auto r = load("? [a, b]\n: 1\nversion: 1\n");
  EXPECT_TRUE(HasErrorContaining(r, "mapping keys must be plain strings"));
}

}  // namespace
}  // namespace golive
