#include "orchestrator/release/identity.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <set>

#include "golive/git_repo.h"

namespace golive {
namespace {

using Env = std::map<std::string, std::string>;

// Only configured_user matters to identity.
class FakeRepo final : public GitRepo {
 public:
  explicit FakeRepo(std::string user) : user_(std::move(user)) {}
  Result<CommitInfo> resolve(const std::string&) override { return fail("unused"); }
  Result<bool> is_dirty() override { return false; }
  Status export_tree(const std::string&, const std::string&) override { return {}; }
  std::string workdir() override { return "/tmp"; }
  std::string configured_user() override { return user_; }

 private:
  std::string user_;
};

std::string hostname() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

TEST(DetectDeployer, GithubActor) {
  FakeRepo repo("Dev <dev@example.com>");
  EXPECT_EQ(detect_deployer(&repo, {{"CI", "true"},
                                    {"GITHUB_ACTIONS", "true"},
                                    {"GITHUB_ACTOR", "octocat"},
                                    {"USER", "runner"}}),
            "github:octocat");
}

TEST(DetectDeployer, OtherProviders) {
  EXPECT_EQ(detect_deployer(nullptr, {{"GITLAB_CI", "true"}, {"GITLAB_USER_LOGIN", "jane"}}),
            "gitlab:jane");
  EXPECT_EQ(
      detect_deployer(nullptr, {{"BUILDKITE", "true"}, {"BUILDKITE_BUILD_CREATOR", "Jane Doe"}}),
      "buildkite:Jane Doe");
  EXPECT_EQ(detect_deployer(nullptr, {{"CIRCLECI", "true"}, {"CIRCLE_USERNAME", "jd"}}),
            "circleci:jd");
}

TEST(DetectDeployer, GenericCiUsesUser) {
  FakeRepo repo("Dev <dev@example.com>");
  EXPECT_EQ(detect_deployer(&repo, {{"CI", "TRUE"}, {"USER", "runner"}}), "ci:runner");
}

TEST(DetectDeployer, ActorOutsideCiIsIgnored) {
  FakeRepo repo("Dev <dev@example.com>");
  EXPECT_EQ(detect_deployer(&repo, {{"GITHUB_ACTOR", "octocat"}, {"USER", "dev"}}),
            "Dev <dev@example.com>");
  EXPECT_EQ(detect_deployer(&repo, {{"CI", "false"}, {"USER", "dev"}}), "Dev <dev@example.com>");
}

TEST(DetectDeployer, FallsBackToOsUserAtHost) {
  FakeRepo unconfigured("");
  EXPECT_EQ(detect_deployer(&unconfigured, {{"USER", "alice"}}), "alice@" + hostname());
  EXPECT_EQ(detect_deployer(nullptr, {{"LOGNAME", "bob"}}), "bob@" + hostname());
  EXPECT_FALSE(detect_deployer(nullptr, {}).empty());
}

TEST(DetectDeployer, KeepsIdentityOnOneLine) {
  EXPECT_EQ(detect_deployer(nullptr, {{"CI", "1"}, {"GITHUB_ACTOR", "evil\nFAKE LINE"}}),
            "github:evil FAKE LINE");
}

TEST(DetectTrigger, CiOrCli) {
  EXPECT_EQ(detect_trigger({{"CI", "true"}}), "ci");
  EXPECT_EQ(detect_trigger({{"GITHUB_ACTIONS", "true"}}), "ci");
  EXPECT_EQ(detect_trigger({{"CI", "0"}}), "cli");
  EXPECT_EQ(detect_trigger({}), "cli");
}

TEST(CiRunUrl, Github) {
  Env env{{"CI", "true"},
          {"GITHUB_SERVER_URL", "https://github.com"},
          {"GITHUB_REPOSITORY", "acme/portal"},
          {"GITHUB_RUN_ID", "123456"}};
  EXPECT_EQ(ci_run_url(env), "https://github.com/acme/portal/actions/runs/123456");
  env.erase("GITHUB_SERVER_URL");
  EXPECT_EQ(ci_run_url(env), "https://github.com/acme/portal/actions/runs/123456");
}

TEST(CiRunUrl, GitlabAndOthers) {
  EXPECT_EQ(ci_run_url({{"GITLAB_CI", "true"},
                        {"CI_JOB_URL", "https://gitlab.example.com/acme/portal/-/jobs/42"}}),
            "https://gitlab.example.com/acme/portal/-/jobs/42");
  EXPECT_EQ(ci_run_url({{"BUILDKITE", "true"},
                        {"BUILDKITE_BUILD_URL", "https://buildkite.com/acme/portal/builds/7"}}),
            "https://buildkite.com/acme/portal/builds/7");
}

TEST(CiRunUrl, EmptyOutsideCi) {
  EXPECT_EQ(ci_run_url({}), "");
  EXPECT_EQ(ci_run_url({{"CI", "true"}}), "");
  EXPECT_EQ(ci_run_url({{"GITHUB_REPOSITORY", "acme/portal"}, {"GITHUB_RUN_ID", "1"}}), "");
}

TEST(MakeReleaseId, UtcSecondAndShortSha) {
  // 2026-11-29T10:15:00Z
  const auto t = std::chrono::system_clock::time_point{std::chrono::seconds{1795947300}} +
                 std::chrono::milliseconds{999};
  EXPECT_EQ(make_release_id(t, "3f2a9c1d0e5b8a7c6d4e3f2a1b0c9d8e7f6a5b4c", 0x07be),
            "20261129T101500Z-3f2a9c1-07be");
  EXPECT_EQ(make_release_id(t, "3F2A9C1D", 0xffff), "20261129T101500Z-3f2a9c1-ffff");
  EXPECT_EQ(release_time("20261129T101500Z-3f2a9c1-07be"), "20261129T101500Z");
}

TEST(MakeReleaseId, SortsByTime) {
  const auto t = std::chrono::system_clock::time_point{std::chrono::seconds{1795947300}};
  EXPECT_LT(make_release_id(t, "ffffffff", 0xffff),
            make_release_id(t + std::chrono::seconds(1), "0000000", 0));
  EXPECT_LT(make_release_id(t + std::chrono::seconds(9), "a", 1),
            make_release_id(t + std::chrono::seconds(10), "a", 0));
}

TEST(MakeReleaseId, OnlyHexFromTheSha) {
  const auto t = std::chrono::system_clock::time_point{std::chrono::seconds{1795947300}};
  EXPECT_EQ(make_release_id(t, "../../etc", 1), "20261129T101500Z-0000000-0001");
  EXPECT_EQ(make_release_id(t, "ab/cd", 2), "20261129T101500Z-ab-0002");
}

TEST(MakeReleaseId, SameCommitSameSecondDiffers) {
  const auto t = std::chrono::system_clock::time_point{std::chrono::seconds{1795947300}};
  std::set<std::string> ids;
  for (int i = 0; i < 16; ++i) ids.insert(make_release_id(t, "3f2a9c1", random_release_nonce()));
  EXPECT_GE(ids.size(), 15u);  // 16 bits each: a repeat among 16 draws is a ~0.2% event
}

}  // namespace
}  // namespace golive
