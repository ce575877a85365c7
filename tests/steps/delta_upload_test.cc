// The delta upload against a real sshd host: what lands is the new tree byte for byte, unchanged
// files are hard links to the base release's, a hand-edited base file is sent in full, a base
// without a manifest falls back to a full upload, and a corrupted stream fails the step.
#include "steps/delta_upload.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "steps/step.h"
#include "tests/harness/sandbox_fleet.h"
#include "tests/harness/scoped_temp_dir.h"

namespace golive {
namespace {

namespace fs = std::filesystem;
using testing::SandboxFleet;

// Types, modes, sizes, symlink targets and checksums of every entry under `dir` except golive's
// own manifest, one line each, sorted.
std::string tree_of(const std::string& dir) {
  return SandboxFleet::sh("cd '" + dir +
                          "' && find . -mindepth 1 ! -name .golive-files \\( \\( -type f -printf "
                          "'f %m %s %p ' -exec sh -c 'sha256sum < \"$1\"' _ {} \\; \\) -o "
                          "-printf '%y %m %p %l\\n' \\) | sort");
}

void write(const std::string& path, const std::string& text, int mode = 0644) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  ::chmod(path.c_str(), static_cast<mode_t>(mode));
}

ino_t inode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

std::shared_ptr<const UploadArchive> archive_of(const std::string& dir) {
  ArchiveOptions o;
  o.with_manifest = true;
  auto a = UploadArchive::build(dir, o);
  if (!a) throw std::runtime_error(a.error().message);
  return *a;
}

// The first release: a tree with every kind of entry.
void first_tree(const std::string& src) {
  for (int i = 0; i < 40; ++i) {
    write(src + "/keep/f" + std::to_string(i) + ".txt", "unchanged " + std::to_string(i) + "\n");
  }
  write(src + "/a.txt", "version one\n");
  write(src + "/b.txt", "to be deleted\n");
  write(src + "/sub/old-name.txt", "renamed content\n");
  write(src + "/mode.sh", "#!/bin/sh\necho mode\n", 0644);
  fs::create_directories(src + "/empty-a");
  fs::create_symlink("a.txt", src + "/link");
}

// The second: changed, added, deleted, renamed, mode-changed, symlinks and empty dirs moved.
void second_tree(const std::string& src) {
  write(src + "/a.txt", "version two, longer\n");
  write(src + "/new.txt", "added\n");
  fs::remove(src + "/b.txt");
  fs::rename(src + "/sub/old-name.txt", src + "/sub/new-name.txt");
  ::chmod((src + "/mode.sh").c_str(), 0755);
  fs::remove(src + "/empty-a");
  fs::create_directories(src + "/empty-b/deeper");
  fs::remove(src + "/link");
  fs::create_symlink("keep/f1.txt", src + "/link");
  fs::create_symlink("sub", src + "/link-to-dir");
}

struct Fixture {
  SandboxFleet& fleet = SandboxFleet::shared(3);
  testing::ScopedTempDir tmp{"golive-delta-test"};
  std::string src = tmp.path() + "/dist";
  std::string root;
  std::unique_ptr<RemoteHost> host;

  explicit Fixture(const std::string& name) {
    root = fleet.root(1) + "/" + name + "-" + std::to_string(::getpid());
    auto h = fleet.connector()->connect(fleet.host(1));
    if (!h) throw std::runtime_error(h.error().message);
    host = std::move(*h);
    first_tree(src);
  }
  std::string release(const std::string& id) const { return root + "/releases/" + id; }
  StepResult full(const std::string& id) {
    return upload_archive(*host, *archive_of(src), release(id), Millis(60000));
  }
  std::optional<StepResult> delta(const std::string& id, const std::string& base,
                                  const UploadArchive& archive, std::string& why) {
    DeltaRequest q;
    q.host = host.get();
    q.full = &archive;
    q.artifact_dir = src;
    q.remote_dir = release(id);
    q.base_dir = release(base);
    q.timeout = Millis(60000);
    return upload_delta(q, why);
  }
};

TEST(DeltaUpload, EveryKindOfChangeLandsExactlyAndUnchangedFilesAreLinks) {
  Fixture f("kinds");
  ASSERT_TRUE(f.full("r1").ok());
  second_tree(f.src);
  auto archive = archive_of(f.src);
  std::string why;
  auto r = f.delta("r2", "r1", *archive, why);
  ASSERT_TRUE(r) << why;
  ASSERT_TRUE(r->ok()) << r->error << "\n" << r->output;
  EXPECT_EQ(tree_of(f.release("r2")), tree_of(f.src));
  // Changed, added and mode-changed files travel; the 40 unchanged and the renamed one do not.
  EXPECT_NE(r->output.find("sent 3 files"), std::string::npos) << r->output;
  EXPECT_NE(r->output.find("reused 41"), std::string::npos) << r->output;
  EXPECT_EQ(inode(f.release("r2") + "/keep/f7.txt"), inode(f.release("r1") + "/keep/f7.txt"));
  EXPECT_EQ(inode(f.release("r2") + "/sub/new-name.txt"),
            inode(f.release("r1") + "/sub/old-name.txt"));
  EXPECT_NE(inode(f.release("r2") + "/mode.sh"), inode(f.release("r1") + "/mode.sh"));
  // The base release is untouched, and the new one can be the next base.
  EXPECT_FALSE(fs::exists(f.release("r2") + "/.golive-tree"));
  EXPECT_FALSE(fs::exists(f.release("r2") + "/.golive-link.sh"));
  EXPECT_TRUE(fs::exists(f.release("r2") + "/.golive-files"));
  write(f.src + "/a.txt", "version three\n");
  auto third = f.delta("r3", "r2", *archive_of(f.src), why);
  ASSERT_TRUE(third && third->ok()) << why << (third ? third->error : "");
  EXPECT_EQ(tree_of(f.release("r3")), tree_of(f.src));
  EXPECT_NE(third->output.find("sent 1 files"), std::string::npos) << third->output;
}

TEST(DeltaUpload, AHandEditedBaseFileIsSentInFullAndTheBaseKeepsItsEdit) {
  Fixture f("edited");
  ASSERT_TRUE(f.full("r1").ok());
  write(f.release("r1") + "/keep/f3.txt", "edited on the host\n");
  ::chmod((f.release("r1") + "/keep/f4.txt").c_str(), 0600);
  auto archive = archive_of(f.src);
  std::string why;
  auto r = f.delta("r2", "r1", *archive, why);
  ASSERT_TRUE(r) << why;
  ASSERT_TRUE(r->ok()) << r->error << "\n" << r->output;
  EXPECT_EQ(tree_of(f.release("r2")), tree_of(f.src));
  EXPECT_NE(r->output.find("keep/f3.txt"), std::string::npos) << r->output;
  EXPECT_NE(r->output.find("keep/f4.txt"), std::string::npos) << r->output;
  EXPECT_NE(inode(f.release("r2") + "/keep/f3.txt"), inode(f.release("r1") + "/keep/f3.txt"));
  std::ifstream in(f.release("r1") + "/keep/f3.txt");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "edited on the host");
}

TEST(DeltaUpload, ABaseWithoutManifestGetsAFullUpload) {
  Fixture f("nomanifest");
  ASSERT_TRUE(upload_directory(*f.host, f.src, f.release("r1"), Millis(60000)).ok());
  ASSERT_FALSE(fs::exists(f.release("r1") + "/.golive-files"));
  second_tree(f.src);
  auto archive = archive_of(f.src);
  std::string why;
  EXPECT_FALSE(f.delta("r2", "r1", *archive, why));
  EXPECT_NE(why.find("no usable manifest"), std::string::npos) << why;

  // Through the step: the fallback is a full upload that says why.
  HostPlan plan;
  plan.root = f.root;
  plan.release_dir = f.release("r2");
  StepContext ctx;
  ctx.host = f.host.get();
  ctx.host_plan = &plan;
  ctx.release_id = "r2";
  ctx.archive = archive;
  ctx.artifact_dir = f.src;
  ctx.base_release = "r1";
  PlannedStep step;
  step.name = "upload";
  step.kind = StepKind::kUpload;
  step.timeout = Millis(60000);
  StepResult r = run_step(step, ctx);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_NE(r.output.find("full upload (the base release has no usable manifest)"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(tree_of(f.release("r2")), tree_of(f.src));
  // --full-upload, and a host serving nothing, are full uploads too.
  ctx.full_upload = true;
  ctx.release_id = "r3";
  plan.release_dir = f.release("r3");
  r = run_step(step, ctx);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_NE(r.output.find("full upload (--full-upload)"), std::string::npos) << r.output;
}

TEST(DeltaUpload, ACorruptedStreamFailsTheStep) {
  Fixture f("corrupt");
  ASSERT_TRUE(f.full("r1").ok());
  write(f.src + "/a.txt", std::string(4096, 'x'));
  auto archive = archive_of(f.src);
  ::setenv("GOLIVE_TEST_CORRUPT_UPLOAD", "web1", 1);
  std::string why;
  auto r = f.delta("r2", "r1", *archive, why);
  ::unsetenv("GOLIVE_TEST_CORRUPT_UPLOAD");
  ASSERT_TRUE(r) << why;
  EXPECT_EQ(r->outcome, StepOutcome::kFailed);
  EXPECT_NE(r->error.find("corrupt"), std::string::npos) << r->error;
}

TEST(DeltaUpload, PlanReusesByContentAndModeAndBatchesLinksPerDirectory) {
  std::vector<FileEntry> files = {{'f', 0644, 1, std::string(64, 'a'), "d/x", ""},
                                  {'f', 0644, 1, std::string(64, 'b'), "d/y", ""},
                                  {'f', 0755, 1, std::string(64, 'c'), "z", ""},
                                  {'f', 0644, 1, std::string(64, 'e'), "moved", ""}};
  std::map<std::string, FileEntry> base = {
      {"d/x", {'f', 0644, 1, std::string(64, 'a'), "d/x", ""}},
      {"d/y", {'f', 0644, 1, std::string(64, 'b'), "d/y", ""}},
      {"z", {'f', 0644, 1, std::string(64, 'c'), "z", ""}},
      {"old", {'f', 0644, 1, std::string(64, 'e'), "old", ""}}};
  DeltaPlan plan = plan_delta(files, base, "/srv/app/releases/r1", ReuseMode::kHardLink);
  EXPECT_EQ(plan.send, std::set<std::string>{"z"});
  EXPECT_EQ(plan.reused.size(), 3u);
  EXPECT_TRUE(plan.script.starts_with("b='/srv/app/releases/r1'\n")) << plan.script;
  EXPECT_NE(plan.script.find("ln -t 'd' -- \"$b\"/'d/x' \"$b\"/'d/y'"), std::string::npos)
      << plan.script;
  EXPECT_NE(plan.script.find("ln -- \"$b\"/'old' 'moved'"), std::string::npos) << plan.script;
  DeltaPlan copy = plan_delta(files, base, "/b", ReuseMode::kCopy);
  EXPECT_EQ(copy.script.find("ln "), std::string::npos) << copy.script;

  auto parsed = parse_files_manifest(files_manifest_text(files));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->at("z").mode, 0755u);
  EXPECT_FALSE(parse_files_manifest("nothex 644 1 a\n"));
}

}  // namespace
}  // namespace golive
