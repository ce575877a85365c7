// The upload step against a real sshd host, plus its failure paths behind a fake host.
#include "steps/upload.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "tests/harness/sandbox_fleet.h"
#include "tests/harness/scoped_temp_dir.h"

namespace golive {
namespace {

namespace fs = std::filesystem;
using testing::SandboxFleet;
using Clock = std::chrono::steady_clock;

// Checksums, modes and link targets of every entry under `dir`, one line each, sorted.
std::string tree_listing(const std::string& dir) {
  return SandboxFleet::sh("cd '" + dir +
                          "' && find . -mindepth 1 \\( -type f -exec sha256sum {} + \\) -o "
                          "\\( -printf '%y %m %p %l\\n' \\) | sort; find . -type f -printf '%m "
                          "%p\\n' | sort | md5sum");
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

TEST(Upload, ThousandsOfSmallFilesAndOneLargeArriveIntact) {
  auto& fleet = SandboxFleet::shared(3);
  testing::ScopedTempDir tmp("golive-upload-test");
  std::string src = tmp.path() + "/dist";
  fs::create_directories(src + "/static");
  std::mt19937 rng(42);
  for (int i = 0; i < 5000; ++i) {
    std::string dir = src + "/static/d" + std::to_string(i % 50);
    fs::create_directories(dir);
    std::ofstream f(dir + "/file" + std::to_string(i) + ".txt");
    f << "content of file " << i << " " << rng() << "\n";
  }
  {
    std::ofstream big(src + "/big.bin", std::ios::binary);
    std::vector<char> block(1024 * 1024);
    for (int mb = 0; mb < 20; ++mb) {
      for (auto& c : block) c = static_cast<char>(rng());
      big.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
  }
  std::ofstream(src + "/run.sh") << "#!/bin/sh\necho hi\n";
  ::chmod((src + "/run.sh").c_str(), 0750);
  fs::create_symlink("static/d1/file1.txt", src + "/link.txt");
  std::ofstream(src + "/name with spaces 'and quotes'.txt") << "odd\n";

  auto t0 = Clock::now();
  auto archive = UploadArchive::build(src);
  ASSERT_TRUE(archive) << archive.error().message;
  double build_s = seconds_since(t0);
  EXPECT_EQ((*archive)->entries(), 5000u + 50 + 1 + 4);

  auto connected = fleet.connector()->connect(fleet.host(1));
  ASSERT_TRUE(connected) << connected.error().message;
  std::string dest = fleet.root(1) + "/releases/r1";
  t0 = Clock::now();
  StepResult r = upload_archive(**connected, **archive, dest, Millis(60000));
  double send_s = seconds_since(t0);
  ASSERT_TRUE(r.ok()) << r.error << "\n" << r.output;
  EXPECT_EQ(r.host, "web1");
  std::printf(
      "[ measure  ] upload 5000 small files + 20 MiB (%.1f MiB tar): build %.2fs, "
      "stream+extract+verify %.2fs\n",
      static_cast<double>((*archive)->size()) / (1024.0 * 1024.0), build_s, send_s);

  EXPECT_EQ(tree_listing(dest), tree_listing(src));
  EXPECT_EQ(fs::read_symlink(dest + "/link.txt"), "static/d1/file1.txt");
  struct stat st {};
  ASSERT_EQ(::stat((dest + "/run.sh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);

  // The same bytes go to a second host without rebuilding.
  auto second = fleet.connector()->connect(fleet.host(2));
  ASSERT_TRUE(second);
  t0 = Clock::now();
  r = upload_archive(**second, **archive, fleet.root(2) + "/releases/r1", Millis(60000));
  ASSERT_TRUE(r.ok()) << r.error;
  std::printf("[ measure  ] same archive to a second host: %.2fs\n", seconds_since(t0));
  fs::remove_all(fs::path(src).parent_path());
}

// upload.compress: zstd: the stream is compressed by libarchive, extracted by tar --zstd on a
// real host, and lands byte for byte; a compressible tree travels in far fewer bytes.
TEST(Upload, ZstdStreamLandsByteForByteInFewerBytes) {
  auto& fleet = SandboxFleet::shared(3);
  testing::ScopedTempDir tmp("golive-upload-test");
  std::string src = tmp.path() + "/dist";
  for (int i = 0; i < 200; ++i) {
    const std::string dir = src + "/d" + std::to_string(i % 10);
    fs::create_directories(dir);
    std::ofstream f(dir + "/f" + std::to_string(i) + ".js");
    for (int line = 0; line < 100; ++line) f << "export const value" << line << " = " << i << ";\n";
  }
  fs::create_symlink("d1/f1.js", src + "/link.js");
  ArchiveOptions zstd;
  zstd.zstd = true;
  auto plain = UploadArchive::build(src);
  auto packed = UploadArchive::build(src, zstd);
  ASSERT_TRUE(plain && packed) << (plain ? packed.error().message : plain.error().message);
  EXPECT_TRUE((*packed)->zstd());
  EXPECT_LT((*packed)->size() * 5, (*plain)->size());
  EXPECT_TRUE(
      choose_zstd("auto", {"10.0.0.5", "web.example.com"}, (*plain)->size(), (*packed)->size()));
  auto host = fleet.connector()->connect(fleet.host(2));
  ASSERT_TRUE(host) << host.error().message;
  const std::string dest = fleet.root(2) + "/releases/zstd";
  StepResult r = upload_archive(**host, **packed, dest, Millis(60000));
  ASSERT_TRUE(r.ok()) << r.error << "\n" << r.output;
  EXPECT_EQ(tree_listing(dest), tree_listing(src));
  EXPECT_EQ(fs::read_symlink(dest + "/link.js"), "d1/f1.js");
}

TEST(Upload, AutoCompressesOnlyOffLoopbackAndWhenItPays) {
  EXPECT_TRUE(choose_zstd("zstd", {"127.0.0.1"}, 100, 100));
  EXPECT_FALSE(choose_zstd("none", {"10.0.0.1"}, 100, 1));
  EXPECT_FALSE(choose_zstd("auto", {"10.0.0.1", "127.0.0.12"}, 100, 1));
  EXPECT_FALSE(choose_zstd("auto", {"::1"}, 100, 1));
  EXPECT_FALSE(choose_zstd("auto", {"localhost"}, 100, 1));
  EXPECT_FALSE(choose_zstd("auto", {"10.0.0.1"}, 100, 95));  // incompressible: not worth it
  EXPECT_TRUE(choose_zstd("auto", {"10.0.0.1", "db.internal"}, 100, 90));
}

TEST(Upload, UploadDirectoryBuildsAndShips) {
  auto& fleet = SandboxFleet::shared(3);
  testing::ScopedTempDir tmp("golive-upload-test");
  std::string src = tmp.path();
  std::ofstream(src + "/index.html") << "<h1>hi</h1>\n";
  auto host = fleet.connector()->connect(fleet.host(3));
  ASSERT_TRUE(host);
  std::string dest = fleet.root(3) + "/r2";
  StepResult r = upload_directory(**host, src, dest, Millis(30000));
  ASSERT_TRUE(r.ok()) << r.error;
  std::ifstream in(dest + "/index.html");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "<h1>hi</h1>");
  EXPECT_EQ(r.output.find("golive-sha256"), std::string::npos);

  // A destination the deploy user cannot create fails the step with the host named.
  r = upload_directory(**host, src, "/root/not-allowed", Millis(30000));
  EXPECT_EQ(r.outcome, StepOutcome::kFailed);
  EXPECT_NE(r.error.find("web3"), std::string::npos) << r.error;
  fs::remove_all(src);
}

TEST(Upload, MissingSourceIsAFailedStep) {
  class NeverHost final : public RemoteHost {
   public:
    const std::string& name() const override { return name_; }
    Result<ExecResult> exec(const ExecRequest&) override { return fail("must not run"); }
    Status write_file(const std::string&, std::string_view, int) override { return {}; }
    Result<std::string> read_file(const std::string&) override { return std::string(); }
    std::string name_ = "web1";
  } host;
  StepResult r = upload_directory(host, "/nonexistent/dist", "/srv/x", Millis(1000));
  EXPECT_EQ(r.outcome, StepOutcome::kFailed);
  EXPECT_NE(r.error.find("/nonexistent/dist"), std::string::npos);
}

// A host that swallows the stream and reports a different checksum.
class CorruptingHost final : public RemoteHost {
 public:
  const std::string& name() const override { return name_; }
  Result<ExecResult> exec(const ExecRequest& req) override {
    std::vector<char> buf(65536);
    while (req.stdin_source(buf.data(), buf.size()) > 0) {
    }
    ExecResult r;
    r.exit_status = 0;
    r.output = "golive-sha256:" + std::string(64, '0') + "\n";
    return r;
  }
  Status write_file(const std::string&, std::string_view, int) override { return {}; }
  Result<std::string> read_file(const std::string&) override { return std::string(); }

 private:
  std::string name_ = "web9";
};

TEST(Upload, ChecksumMismatchFailsTheStep) {
  testing::ScopedTempDir tmp("golive-upload-test");
  std::string src = tmp.path();
  std::ofstream(src + "/a.txt") << "a\n";
  CorruptingHost host;
  StepResult r = upload_directory(host, src, "/srv/app", Millis(1000));
  EXPECT_EQ(r.outcome, StepOutcome::kFailed);
  EXPECT_NE(r.error.find("corrupt"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("web9"), std::string::npos) << r.error;
  fs::remove_all(src);
}

TEST(Upload, ArchiveIsDeterministic) {
  testing::ScopedTempDir tmp("golive-upload-test");
  std::string src = tmp.path();
  fs::create_directories(src + "/b");
  std::ofstream(src + "/b/x") << "x";
  std::ofstream(src + "/a") << "a";
  auto one = UploadArchive::build(src);
  auto two = UploadArchive::build(src);
  ASSERT_TRUE(one && two);
  EXPECT_EQ((*one)->sha256(), (*two)->sha256());
  EXPECT_EQ((*one)->entries(), 3u);
  fs::remove_all(src);
}

}  // namespace
}  // namespace golive

namespace golive {
namespace {

// Issue 17: on a host, a link out of the release reaches that host's own files; the archive
// refuses absolute links and relative ones that climb above the artifact, and keeps the rest.
TEST(Upload, SymlinkOutOfTheArtifactIsRefused) {
  testing::ScopedTempDir tmp("golive-upload-link-test");
  const std::string src = tmp.path() + "/dist";
  std::filesystem::create_directories(src + "/app/sub");
  std::ofstream(src + "/VERSION") << "v\n";
  std::filesystem::create_symlink("../VERSION", src + "/app/version");          // inside
  std::filesystem::create_symlink("../../app/version", src + "/app/sub/deep");  // inside
  EXPECT_TRUE(UploadArchive::build(src).has_value());

  for (const std::string target : {"/etc/passwd", "../../etc/passwd", "sub/../../../x"}) {
    std::filesystem::remove(src + "/app/out");
    std::filesystem::create_symlink(target, src + "/app/out");
    auto r = UploadArchive::build(src);
    ASSERT_FALSE(r.has_value()) << target;
    EXPECT_EQ(r.error().message, "artifact symlink app/out -> " + target +
                                     " points outside the artifact; refusing to ship it");
    EXPECT_EQ(r.error().exit, ExitCode::kPreflight);
  }
}

}  // namespace
}  // namespace golive
