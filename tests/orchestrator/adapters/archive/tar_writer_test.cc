#include "orchestrator/adapters/archive/tar_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace golive {
namespace {

namespace fs = std::filesystem;

class TarWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "golive-tar-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
  }
  void TearDown() override { fs::remove_all(dir); }
  static struct stat stat_of(mode_t type_and_mode, off_t size) {
    struct stat st {};
    st.st_mode = type_and_mode;
    st.st_size = size;
    st.st_mtime = 1700000000;
    return st;
  }
  fs::path dir;
};

TEST_F(TarWriterTest, SystemTarExtractsFilesDirectoriesAndSymlinks) {
  std::string bytes;
  auto tar = TarWriter::open([&](std::string_view b) -> Status {
    bytes.append(b);
    return {};
  });
  ASSERT_TRUE(tar) << tar.error().message;
  ASSERT_TRUE((*tar)->add_entry("app", stat_of(S_IFDIR | 0755, 0)));
  ASSERT_TRUE((*tar)->add_entry("app/run.sh", stat_of(S_IFREG | 0750, 11)));
  ASSERT_TRUE((*tar)->write_data("echo hello\n"));
  ASSERT_TRUE((*tar)->add_entry("app/link", stat_of(S_IFLNK | 0777, 0), "run.sh"));
  ASSERT_TRUE((*tar)->close());
  EXPECT_EQ(bytes.size() % 512, 0u);
  EXPECT_LT(bytes.size(), 10240u);  // no padding to a 10 KiB block

  std::ofstream(dir / "a.tar", std::ios::binary) << bytes;
  fs::create_directory(dir / "out");
  const std::string cmd =
      "tar -xf '" + (dir / "a.tar").string() + "' -C '" + (dir / "out").string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(dir / "out" / "app" / "run.sh");
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), "echo hello\n");
  EXPECT_EQ(fs::status(dir / "out" / "app" / "run.sh").permissions() & fs::perms::all,
            static_cast<fs::perms>(0750));
  EXPECT_EQ(fs::read_symlink(dir / "out" / "app" / "link"), "run.sh");
}

TEST_F(TarWriterTest, SinkErrorIsReportedWithItsMessage) {
  auto tar = TarWriter::open([](std::string_view) -> Status { return fail("disk full"); });
  ASSERT_TRUE(tar) << tar.error().message;
  Status st = (*tar)->add_entry("f", stat_of(S_IFREG | 0644, 5));
  if (st) st = (*tar)->write_data("hello");
  if (st) st = (*tar)->close();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message, "disk full");
}

}  // namespace
}  // namespace golive
