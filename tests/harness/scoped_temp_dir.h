// The one temporary directory for tests: a fresh directory under $TMPDIR (mkdtemp), removed with
// its content when the object goes out of scope.
#pragma once

#include <filesystem>
#include <string>

namespace golive::testing {

class ScopedTempDir {
 public:
  // Creates <tmp>/<prefix>-XXXXXX; throws when it cannot (a test cannot run without it).
  explicit ScopedTempDir(const std::string& prefix = "golive-test");
  ~ScopedTempDir();
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  // The directory's absolute path.
  const std::string& path() const { return path_; }
  // The path of `rel` inside the directory (not created).
  std::string file(const std::string& rel) const;
  // Writes `text` to `rel` inside the directory (binary, parents created); returns its path.
  std::string write(const std::string& rel, const std::string& text) const;

 private:
  std::string path_;
};

}  // namespace golive::testing
