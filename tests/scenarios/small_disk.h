// A disk that fills up on cue, for the full-disk scenarios: a small tmpfs the test mounts (the
// tests run as root) and unmounts at the end.
#pragma once

#include <filesystem>
#include <string>

#include "golive/shell_quote.h"
#include "tests/harness/scenario.h"

namespace golive::testing {

// A small tmpfs (the tests run as root) owned by the hosts' `deploy` user, unmounted at the end:
// a disk that fills up on cue.
class SmallDisk {
 public:
  explicit SmallDisk(const std::string& dir) : dir_(dir) {
    std::filesystem::create_directories(dir_);
    int rc = 0;
    Scenario::sh("mount -t tmpfs -o size=2m,mode=755 tmpfs " + shell_quote(dir_) +
                     " && chown deploy: " + shell_quote(dir_),
                 &rc);
    mounted_ = rc == 0;
  }
  ~SmallDisk() {
    if (mounted_) Scenario::sh("umount -l " + shell_quote(dir_));
  }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;
  bool mounted() const { return mounted_; }
  const std::string& dir() const { return dir_; }
  // Fills the disk, leaving a few KiB for the release's small files.
  void fill() const {
    Scenario::sh("dd if=/dev/zero of=" + shell_quote(dir_ + "/filler") +
                 " bs=4k count=10000 2>/dev/null; rm -f " + shell_quote(dir_ + "/filler") +
                 "; dd if=/dev/zero of=" + shell_quote(dir_ + "/filler") +
                 " bs=1k count=$(( $(df -k --output=avail " + shell_quote(dir_) +
                 " | tail -1) - 24 )) 2>/dev/null; true");
  }
  // A shell command (for a runbook step) that fills the disk to the last byte.
  std::string fill_command() const {
    return "dd if=/dev/zero of=" + dir_ + "/filler bs=4k 2>/dev/null; true";
  }
  // Frees what fill() or fill_command() took.
  void free_space() const { Scenario::sh("rm -f " + shell_quote(dir_ + "/filler")); }

 private:
  std::string dir_;
  bool mounted_ = false;
};

}  // namespace golive::testing
