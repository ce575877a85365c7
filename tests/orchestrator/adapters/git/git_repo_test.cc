// The libgit2 adapter against a real repository built with the git CLI.
#include "golive/git_repo.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "tests/harness/scoped_temp_dir.h"

namespace golive {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

class GitRepoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.path();
    repo_ = root_ / "repo";
    fs::create_directories(repo_);

    git("init -q -b main");
    git("config user.name 'Test User'");
    git("config user.email test@example.com");
    spit(repo_ / "README.md", "hello\n");
    spit(repo_ / "bin/build", "#!/bin/sh\necho build\n");
    fs::permissions(repo_ / "bin/build",
                    fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add);
    spit(repo_ / "app/nested/config.json", "{\"break\": []}\n");
    fs::create_symlink("README.md", repo_ / "link");
    spit(repo_ / ".gitignore", "*.log\n");
    git("add -A");
    git("commit -q -m 'First commit' -m 'The body.'");
    first_ = git("rev-parse HEAD");
    git("tag -a v1.0 -m 'release 1.0'");
    git("branch feature");

    spit(repo_ / "README.md", "hello again\n");
    spit(repo_ / "later.txt", "only in the second commit\n");
    git("add -A");
    git("commit -q -m 'Second commit'");
    second_ = git("rev-parse HEAD");
    git("tag v1.1");  // lightweight

    auto opened = open_git_repo(repo_.string());
    ASSERT_TRUE(opened) << opened.error().message;
    git_ = std::move(*opened);
  }

  // Runs git in the repo; returns stdout without the trailing newline.
  std::string git(const std::string& args) {
    std::string cmd =
        "git -C '" + repo_.string() +
        "' -c commit.gpgsign=false -c tag.gpgsign=false -c core.hooksPath=/dev/null " + args +
        " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) throw std::runtime_error("popen failed");
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int rc = pclose(p);
    EXPECT_EQ(rc, 0) << cmd << "\n" << out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  // Every path under `dir` (relative), skipping .git.
  static std::set<std::string> files_under(const fs::path& dir) {
    std::set<std::string> out;
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
         ++it) {
      if (it->path().filename() == ".git") {
        it.disable_recursion_pending();
        continue;
      }
      if (!it->is_directory() || it->is_symlink()) {
        out.insert(it->path().lexically_relative(dir).string());
      }
    }
    return out;
  }

  golive::testing::ScopedTempDir tmp_{"golive-git"};
  fs::path root_;
  fs::path repo_;
  std::string first_;
  std::string second_;
  std::unique_ptr<GitRepo> git_;
};

TEST_F(GitRepoTest, ResolvesHeadToItsBranch) {
  auto info = git_->resolve("HEAD");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->sha, second_);
  EXPECT_EQ(info->ref, "HEAD");
  EXPECT_EQ(info->branch, "main");
  EXPECT_EQ(info->subject, "Second commit");
  EXPECT_EQ(info->author, "Test User <test@example.com>");
  EXPECT_FALSE(info->dirty);
}

TEST_F(GitRepoTest, EmptyRefMeansHead) {
  auto info = git_->resolve("");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->sha, second_);
  EXPECT_EQ(info->ref, "HEAD");
}

TEST_F(GitRepoTest, ResolvesBranch) {
  auto info = git_->resolve("feature");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->sha, first_);
  EXPECT_EQ(info->branch, "feature");
  EXPECT_EQ(info->subject, "First commit");
}

TEST_F(GitRepoTest, ResolvesAnnotatedTagToItsCommit) {
  auto info = git_->resolve("v1.0");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->sha, first_);
  EXPECT_EQ(info->branch, "v1.0");
}

TEST_F(GitRepoTest, ResolvesLightweightTag) {
  auto info = git_->resolve("v1.1");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->sha, second_);
  EXPECT_EQ(info->branch, "v1.1");
}

TEST_F(GitRepoTest, ResolvesShortShaAndNamesTheTagAtIt) {
  auto info = git_->resolve(first_.substr(0, 7));
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->sha, first_);
  EXPECT_EQ(info->branch, "v1.0");
}

TEST_F(GitRepoTest, UntaggedCommitHasNoNameEvenAfterATag) {
  spit(repo_ / "third.txt", "3\n");
  git("add -A");
  git("commit -q -m Third");
  const std::string third = git("rev-parse HEAD");
  auto info = git_->resolve(third);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->sha, third);
  EXPECT_EQ(info->branch, "");  // not "v1.1-1-g..." : only a tag exactly at the commit counts
  auto tagged = git_->resolve(second_);
  ASSERT_TRUE(tagged);
  EXPECT_EQ(tagged->branch, "v1.1");
}

TEST_F(GitRepoTest, RelativeRefIsNotNamedAfterItsBase) {
  git("tag -d v1.0");
  auto info = git_->resolve("main~1");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->sha, first_);
  EXPECT_EQ(info->branch, "");
}

TEST_F(GitRepoTest, DetachedHeadIsNamedByItsTag) {
  git("checkout -q --detach v1.0");
  auto info = git_->resolve("HEAD");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->sha, first_);
  EXPECT_EQ(info->branch, "v1.0");
}

TEST_F(GitRepoTest, UnknownRefErrorNamesIt) {
  auto info = git_->resolve("v9");
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().message, "unknown git ref 'v9': no such branch, tag or commit");
  EXPECT_EQ(info.error().exit, ExitCode::kUsage);
}

TEST_F(GitRepoTest, MalformedRefIsUnknown) {
  auto info = git_->resolve("main^^^^^^^^");
  ASSERT_FALSE(info);
  EXPECT_NE(info.error().message.find("'main^^^^^^^^'"), std::string::npos);
}

TEST_F(GitRepoTest, CleanTreeIsNotDirty) {
  auto dirty = git_->is_dirty();
  ASSERT_TRUE(dirty) << dirty.error().message;
  EXPECT_FALSE(*dirty);
}

TEST_F(GitRepoTest, UntrackedAndIgnoredFilesDoNotCount) {
  spit(repo_ / "scratch.txt", "untracked\n");
  spit(repo_ / "debug.log", "ignored\n");
  auto dirty = git_->is_dirty();
  ASSERT_TRUE(dirty) << dirty.error().message;
  EXPECT_FALSE(*dirty);
}

TEST_F(GitRepoTest, ModifiedTrackedFileIsDirty) {
  spit(repo_ / "README.md", "edited\n");
  auto dirty = git_->is_dirty();
  ASSERT_TRUE(dirty) << dirty.error().message;
  EXPECT_TRUE(*dirty);
  auto info = git_->resolve("HEAD");
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->dirty);
}

TEST_F(GitRepoTest, StagedNewFileIsDirty) {
  spit(repo_ / "new.txt", "staged\n");
  git("add new.txt");
  auto dirty = git_->is_dirty();
  ASSERT_TRUE(dirty);
  EXPECT_TRUE(*dirty);
}

TEST_F(GitRepoTest, DeletedTrackedFileIsDirty) {
  fs::remove(repo_ / "later.txt");
  auto dirty = git_->is_dirty();
  ASSERT_TRUE(dirty);
  EXPECT_TRUE(*dirty);
}

TEST_F(GitRepoTest, ExportWritesExactlyTheCommit) {
  // A dirty working tree must neither leak into the export nor be touched by it.
  spit(repo_ / "README.md", "uncommitted edit\n");
  spit(repo_ / "scratch.txt", "untracked\n");
  const std::string status_before = git("status --porcelain");
  const std::string index_before = slurp(repo_ / ".git/index");

  const fs::path out = root_ / "export";
  auto st = git_->export_tree(first_, out.string());
  ASSERT_TRUE(st) << st.error().message;

  EXPECT_EQ(files_under(out), (std::set<std::string>{".gitignore", "README.md", "bin/build",
                                                     "app/nested/config.json", "link"}));
  EXPECT_EQ(slurp(out / "README.md"), "hello\n");
  EXPECT_EQ(slurp(out / "app/nested/config.json"), "{\"break\": []}\n");
  struct stat sb {};
  ASSERT_EQ(::stat((out / "bin/build").c_str(), &sb), 0);
  EXPECT_TRUE(sb.st_mode & S_IXUSR);
  ASSERT_EQ(::stat((out / "README.md").c_str(), &sb), 0);
  EXPECT_FALSE(sb.st_mode & S_IXUSR);
  ASSERT_TRUE(fs::is_symlink(out / "link"));
  EXPECT_EQ(fs::read_symlink(out / "link").string(), "README.md");

  EXPECT_EQ(git("status --porcelain"), status_before);
  EXPECT_EQ(slurp(repo_ / ".git/index"), index_before);
  EXPECT_EQ(slurp(repo_ / "README.md"), "uncommitted edit\n");
  EXPECT_TRUE(fs::exists(repo_ / "later.txt"));
  EXPECT_EQ(git("rev-parse HEAD"), second_);
}

TEST_F(GitRepoTest, ExportOfHeadIsComplete) {
  const fs::path out = root_ / "export-head";
  auto st = git_->export_tree(second_, out.string());
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(files_under(out),
            (std::set<std::string>{".gitignore", "README.md", "bin/build", "app/nested/config.json",
                                   "link", "later.txt"}));
  EXPECT_EQ(slurp(out / "README.md"), "hello again\n");
}

TEST_F(GitRepoTest, ExportRefusesNonEmptyDirAndUnknownCommit) {
  const fs::path out = root_ / "busy";
  spit(out / "stale.txt", "old build\n");
  EXPECT_FALSE(git_->export_tree(first_, out.string()));
  auto st = git_->export_tree(std::string(40, 'a'), (root_ / "x").string());
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("no such commit"), std::string::npos);
}

TEST_F(GitRepoTest, ConfiguredUserComesFromGitConfig) {
  EXPECT_EQ(git_->configured_user(), "Test User <test@example.com>");
}

TEST_F(GitRepoTest, OpensFromSubdirectoryOrFile) {
  auto sub = open_git_repo((repo_ / "app/nested").string());
  ASSERT_TRUE(sub) << sub.error().message;
  auto file = open_git_repo((repo_ / "README.md").string());
  ASSERT_TRUE(file) << file.error().message;
  auto info = (*file)->resolve("HEAD");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->sha, second_);
}

TEST_F(GitRepoTest, OutsideARepositoryIsAnError) {
  fs::create_directories(root_ / "plain");
  // root_ lies in the temp dir, which is not inside any repository.
  auto opened = open_git_repo((root_ / "plain").string());
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("not a git repository"), std::string::npos);
}

}  // namespace
}  // namespace golive
