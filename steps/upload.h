// The upload step: one tar stream per host, extracted by `tar -x` on the host, checked end to end
// with SHA-256 computed locally and remotely in the same pass.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "golive/error.h"
#include "golive/remote_host.h"
#include "golive/step_result.h"
#include "steps/file_manifest.h"

namespace golive {

// What UploadArchive::build puts in the archive besides the tree itself.
struct ArchiveOptions {
  // Records every entry (files() below, with each file's SHA-256) and ends the archive with
  // `.golive-files`, so the next deploy can ship a delta against this release.
  bool with_manifest = false;
  // Delta archives: only these regular files (paths relative to the dir); directories and
  // symlinks are always included. nullptr: every file.
  const std::set<std::string>* only_files = nullptr;
  // Appended after the tree as regular files (name, content), mode 0644; the contents are the
  // caller's and must outlive build().
  std::vector<std::pair<std::string, std::string_view>> extra_files;
  // Extract with `tar -U` (unlink a file before writing it: never write through a hard link).
  bool unlink_first = false;
  // Compress the stream with zstd (`upload: { compress }`); the host extracts with tar --zstd.
  bool zstd = false;
  // Bytes kept in memory before the archive is spooled to disk. Per-host delta archives use a
  // small limit: fifty of them are built at once.
  std::uint64_t memory_limit = 4ull * 1024 * 1024;
};

// A tar (pax/ustar) archive of a local directory, built once per deploy and replayed to every
// host. Modes, symlinks and mtimes are kept; owners are not (the deploy user owns what it
// extracts). Small archives stay in memory, large ones are spooled to an unlinked temp file.
class UploadArchive {
 public:
  // Archives the contents of `local_dir` (paths relative to it); error names the offending path.
  static Result<std::shared_ptr<const UploadArchive>> build(const std::string& local_dir,
                                                            const ArchiveOptions& options = {});
  ~UploadArchive();
  UploadArchive(const UploadArchive&) = delete;
  UploadArchive& operator=(const UploadArchive&) = delete;

  std::uint64_t size() const { return size_; }
  std::size_t entries() const { return entries_; }
  const std::string& sha256() const { return sha256_; }  // lowercase hex of the whole stream
  // Every entry of the tree (with_manifest only), in archive order.
  const std::vector<FileEntry>& files() const { return files_; }
  // files_manifest_text() and tree_listing_text() of files(), made once (with_manifest only):
  // every host's delta archive carries them.
  const std::string& manifest_text() const { return manifest_text_; }
  const std::string& tree_text() const { return tree_text_; }
  // A delta can be built against this archive: it was built with_manifest, every name fits the
  // manifest, and every directory is writable by its owner (links are made after extraction).
  bool delta_capable() const { return delta_capable_; }
  // The stream is zstd-compressed (size() and sha256() are of the compressed bytes).
  bool zstd() const { return zstd_; }
  // A fresh reader over the archive bytes, for ExecRequest::stdin_source.
  InputSource reader() const;

  // Archives above ArchiveOptions::memory_limit (4 MiB) are spooled to disk instead of memory.
  // Small on purpose: the spool is read back from the page cache at memory speed, while keeping
  // it in the heap made a 21 MB artifact cost ~50 MB of RSS (string growth copies).

 private:
  UploadArchive() = default;
  friend struct ArchiveSink;
  std::string memory_;
  int spool_fd_ = -1;
  std::uint64_t size_ = 0;
  std::size_t entries_ = 0;
  std::string sha256_;
  std::vector<FileEntry> files_;
  std::string manifest_text_, tree_text_;
  std::uint64_t memory_limit_ = 0;
  bool delta_capable_ = false;
  bool zstd_ = false;
};

// Called as an upload's bytes leave for the host (bytes sent so far, bytes in all); cheap, from
// the uploading thread.
using UploadProgress = std::function<void(std::uint64_t sent, std::uint64_t total)>;

// Streams `archive` into `remote_dir` on `host` (created if missing) and verifies its SHA-256 on
// the host; a mismatch, a tar failure or a timeout is a failed step, never an exception.
StepResult upload_archive(RemoteHost& host, const UploadArchive& archive,
                          const std::string& remote_dir, Millis timeout,
                          const std::atomic<bool>* cancel = nullptr,
                          const UploadProgress& progress = nullptr);

// Convenience for one host: builds the archive of `local_dir`, then upload_archive().
StepResult upload_directory(RemoteHost& host, const std::string& local_dir,
                            const std::string& remote_dir, Millis timeout,
                            const std::atomic<bool>* cancel = nullptr);

// The POSIX sh command run on the host: extract stdin into `remote_dir` and print
// "golive-sha256:<hex>" for the bytes received. `after` (sh) runs in `remote_dir` when the
// extraction succeeded and the bytes hash to `expected_sha256`; `unlink_first` extracts with -U;
// `zstd`: the stream is zstd-compressed (a host without zstd(1) fails the step saying so).
std::string upload_remote_command(const std::string& remote_dir, const std::string& after = {},
                                  const std::string& expected_sha256 = {},
                                  bool unlink_first = false, bool zstd = false);

// Whether to send `archive` zstd-compressed: `compress` is the runbook's upload.compress
// (auto|zstd|none); auto compresses when no host address is on loopback and `compressed` (the
// same tree, compressed) is at least 10% smaller.
bool choose_zstd(const std::string& compress, const std::vector<std::string>& addresses,
                 std::uint64_t plain_size, std::uint64_t compressed_size);
// Whether `address` names this machine (127.0.0.0/8, ::1, localhost).
bool is_loopback_address(const std::string& address);

// Streams `archive` to `host` through `command` (an upload_remote_command) and checks the hash
// the host reports; upload_archive() with the command chosen by the caller (the delta upload).
StepResult send_archive(RemoteHost& host, const UploadArchive& archive, const std::string& command,
                        const std::string& remote_dir, Millis timeout,
                        const std::atomic<bool>* cancel, const UploadProgress& progress);

}  // namespace golive
