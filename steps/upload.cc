// The upload step: the archive adapter builds the tar stream once, SHA-256 hashes it as it is
// built, and each host receives it through one exec whose stdin feeds `tar -x` and a SHA-256 in one
// pass.
#include "steps/upload.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <sstream>
#include <vector>

#include "golive/duration.h"
#include "golive/interpolate.h"
#include "golive/shell_quote.h"
#include "orchestrator/adapters/archive/tar_writer.h"
#include "orchestrator/adapters/crypto/sha256.h"

namespace golive {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kHashMarker = "golive-sha256:";

// Whether a symlink at `rel` (relative to the artifact) with `target` leaves the artifact:
// absolute targets do, and relative ones whose `..` climb above the artifact's root.
bool escapes_artifact(const std::string& rel, const std::string& target) {
  if (target.empty() || target.front() == '/') return true;
  const fs::path resolved = (fs::path(rel).parent_path() / target).lexically_normal();
  const std::string first = resolved.empty() ? "" : resolved.begin()->string();
  return first == "..";
}

}  // namespace

// Receives the archive bytes from the TarWriter: hashes them and keeps them in memory, spilling to
// an unlinked temp file once they outgrow ArchiveOptions::memory_limit.
struct ArchiveSink {
  UploadArchive* out = nullptr;
  Sha256* digest = nullptr;

  bool spill() {
    std::string tmpl = (fs::temp_directory_path() / "golive-upload-XXXXXX").string();
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0) return false;
    ::unlink(tmpl.c_str());
    out->spool_fd_ = fd;
    if (!write_all(out->memory_.data(), out->memory_.size())) return false;
    std::string().swap(out->memory_);
    return true;
  }

  bool write_all(const char* data, std::size_t len) {
    while (len > 0) {
      ssize_t n = ::write(out->spool_fd_, data, len);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data += n;
      len -= static_cast<std::size_t>(n);
    }
    return true;
  }

  Status write(std::string_view bytes) {
    digest->update(bytes);
    UploadArchive& a = *out;
    if (a.spool_fd_ < 0 && a.memory_.size() + bytes.size() > a.memory_limit_ && !spill()) {
      return fail(std::string("cannot spool the archive to a temp file: ") + std::strerror(errno),
                  ExitCode::kInfra);
    }
    if (a.spool_fd_ >= 0) {
      if (!write_all(bytes.data(), bytes.size())) {
        return fail(std::string("cannot write the archive spool: ") + std::strerror(errno),
                    ExitCode::kInfra);
      }
    } else {
      a.memory_.append(bytes);
    }
    a.size_ += bytes.size();
    return {};
  }
};

UploadArchive::~UploadArchive() {
  if (spool_fd_ >= 0) ::close(spool_fd_);
}

namespace {

// Adds one path of the tree to the archive (its data for a regular file, hashed into `entry` when
// recording a manifest); a symlink leaving the artifact is refused.
Status archive_path(TarWriter& tar, const std::string& full, const std::string& rel,
                    const struct stat& st, std::vector<char>& buf, FileEntry* entry) {
  auto archive_fail = [&](const Error& e) {
    return fail("cannot archive " + full + ": " + e.message, ExitCode::kInfra);
  };
  std::string link_target;
  if (S_ISLNK(st.st_mode)) {
    std::error_code lec;
    link_target = fs::read_symlink(full, lec).string();
    if (lec) return fail("cannot read symlink " + full + ": " + lec.message(), ExitCode::kUsage);
    // On a host, a link out of the release reaches that host's files (a leaked /etc/shadow, a
    // path another app owns): only links that stay inside the artifact are shipped.
    if (escapes_artifact(rel, link_target)) {
      return fail("artifact symlink " + rel + " -> " + link_target +
                      " points outside the artifact; refusing to ship it",
                  ExitCode::kPreflight);
    }
  }
  if (entry != nullptr) {
    entry->type = S_ISREG(st.st_mode) ? 'f' : S_ISDIR(st.st_mode) ? 'd' : 'l';
    entry->mode = st.st_mode & 07777;
    entry->size = S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
    entry->path = rel;
    entry->link_target = link_target;
  }
  if (!S_ISREG(st.st_mode)) {
    if (auto added = tar.add_entry(rel, st, link_target); !added)
      return archive_fail(added.error());
    return {};
  }
  int fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail("cannot read " + full + ": " + std::strerror(errno), ExitCode::kUsage);
  std::optional<Sha256> digest;
  if (entry != nullptr) digest.emplace();
  Status status = tar.add_entry(rel, st, link_target);
  if (!status) status = archive_fail(status.error());
  for (std::uint64_t left = static_cast<std::uint64_t>(st.st_size); status && left > 0;) {
    ssize_t n = ::read(fd, buf.data(), std::min<std::uint64_t>(buf.size(), left));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status = fail("cannot read " + full + " (changed while archiving?)", ExitCode::kUsage);
      break;
    }
    const std::string_view chunk(buf.data(), static_cast<std::size_t>(n));
    if (digest) digest->update(chunk);
    if (auto wrote = tar.write_data(chunk); !wrote) status = archive_fail(wrote.error());
    left -= static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  if (status && digest) entry->sha256 = digest->hex_digest();
  return status;
}

// Adds a regular file made of `content` (golive's own files in the release dir).
Status archive_text(TarWriter& tar, const std::string& name, std::string_view content) {
  struct stat st {};
  st.st_mode = S_IFREG | 0644;
  st.st_size = static_cast<off_t>(content.size());
  st.st_mtime = ::time(nullptr);
  GOLIVE_RETURN_IF_ERROR(tar.add_entry(name, st));
  return tar.write_data(content);
}

}  // namespace

Result<std::shared_ptr<const UploadArchive>> UploadArchive::build(const std::string& local_dir,
                                                                  const ArchiveOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(local_dir, ec)) {
    return fail("upload source is not a directory: " + local_dir, ExitCode::kUsage);
  }
  // Sorted, so the archive (and its hash) depends only on the tree, and parents precede children.
  std::vector<std::string> paths;
  for (fs::recursive_directory_iterator it(local_dir, fs::directory_options::none, ec), end;
       !ec && it != end; it.increment(ec)) {
    paths.push_back(it->path().lexically_relative(local_dir).generic_string());
  }
  if (ec) return fail("cannot list " + local_dir + ": " + ec.message(), ExitCode::kUsage);
  std::sort(paths.begin(), paths.end());

  std::shared_ptr<UploadArchive> result(new UploadArchive());
  Sha256 digest;
  ArchiveSink sink{result.get(), &digest};
  auto tar =
      TarWriter::open([&sink](std::string_view bytes) { return sink.write(bytes); }, options.zstd);
  result->zstd_ = options.zstd;
  result->memory_limit_ = options.memory_limit;
  if (!tar) return fail("cannot start the archive: " + tar.error().message, ExitCode::kInfra);
  bool dirs_writable = true;
  std::vector<char> buf(64 * 1024);  // one per host building a delta at once: kept small
  for (const auto& rel : paths) {
    const std::string full = local_dir + "/" + rel;
    struct stat st {};
    if (::lstat(full.c_str(), &st) != 0) {
      return fail("cannot read " + full + ": " + std::strerror(errno), ExitCode::kUsage);
    }
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) continue;
    if (S_ISREG(st.st_mode) && options.only_files != nullptr && !options.only_files->count(rel)) {
      continue;
    }
    if (S_ISDIR(st.st_mode) && (st.st_mode & S_IWUSR) == 0) dirs_writable = false;
    FileEntry* entry = options.with_manifest ? &result->files_.emplace_back() : nullptr;
    GOLIVE_RETURN_IF_ERROR(archive_path(**tar, full, rel, st, buf, entry));
    ++result->entries_;
  }
  auto add_text = [&tar](const std::string& name, std::string_view content) -> Status {
    if (auto added = archive_text(**tar, name, content); !added) {
      return fail("cannot archive " + name + ": " + added.error().message, ExitCode::kInfra);
    }
    return {};
  };
  for (const auto& [name, content] : options.extra_files) {
    GOLIVE_RETURN_IF_ERROR(add_text(name, content));
  }
  if (options.with_manifest && manifest_representable(result->files_)) {
    result->manifest_text_ = files_manifest_text(result->files_);
    result->tree_text_ = tree_listing_text(result->files_);
    GOLIVE_RETURN_IF_ERROR(add_text(std::string(kFilesManifestName), result->manifest_text_));
    result->delta_capable_ = dirs_writable;
  }
  if (auto closed = (*tar)->close(); !closed) {
    return fail("cannot archive " + local_dir + ": " + closed.error().message, ExitCode::kInfra);
  }
  result->sha256_ = digest.hex_digest();
  return std::shared_ptr<const UploadArchive>(std::move(result));
}

InputSource UploadArchive::reader() const {
  auto offset = std::make_shared<std::uint64_t>(0);
  return [this, offset](char* buf, std::size_t cap) -> std::ptrdiff_t {
    std::uint64_t left = size_ - *offset;
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(cap, left));
    if (n == 0) return 0;
    if (spool_fd_ < 0) {
      std::memcpy(buf, memory_.data() + *offset, n);
    } else {
      ssize_t got = ::pread(spool_fd_, buf, n, static_cast<off_t>(*offset));
      if (got <= 0) return -1;
      n = static_cast<std::size_t>(got);
    }
    *offset += n;
    return static_cast<std::ptrdiff_t>(n);
  };
}

// The host's own words for a failure: the line naming a full disk if any (tar prints one per
// file), else the last line of output; ": <cause>", or "" when there is none.
static std::string failure_cause(const std::string& output) {
  std::string last;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.find("No space left on device") != std::string::npos)
      return ": " + line.substr(0, 300);
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  }
  return last.empty() ? "" : ": " + last.substr(0, 300);
}

std::string upload_remote_command(const std::string& remote_dir, const std::string& after,
                                  const std::string& expected_sha256, bool unlink_first,
                                  bool zstd) {
  // tar reads a fifo fed by tee, whose other copy goes to sha256sum: one pass over the bytes.
  std::string cmd =
      "set -e\n"
      "mkdir -p -- " +
      shell_quote(remote_dir) +
      "\n"
      "cd -- " +
      shell_quote(remote_dir) +
      "\n"
      "t=$(mktemp -d \"${TMPDIR:-/tmp}/golive-upload.XXXXXX\")\n"
      "trap 'rm -rf \"$t\"' EXIT\n"
      "mkfifo \"$t/p\"\n"
      "if command -v sha256sum >/dev/null 2>&1; then s=sha256sum; else s='shasum -a "
      "256'; fi\n"
      "tar -xp" +
      std::string(unlink_first ? "U" : "") + "f -" + std::string(zstd ? " --zstd" : "") +
      " <\"$t/p\" & tp=$!\n"
      "h=$(tee \"$t/p\" | $s | cut -d' ' -f1)\n"
      "set +e\n"
      "wait $tp; rc=$?\n"
      "echo \"golive-sha256:$h\"\n";
  // Without zstd(1) GNU tar cannot read the stream: say so (reading it all, so the sender ends
  // cleanly) instead of tar's "cannot exec".
  if (zstd) {
    cmd =
        "command -v zstd >/dev/null 2>&1 || { echo 'golive: zstd is not installed on this host "
        "(upload.compress); install it or set upload: { compress: none }' >&2; cat >/dev/null; "
        "exit 3; }\n" +
        cmd;
  }
  if (after.empty()) return cmd + "exit $rc\n";
  // What follows the extraction runs only on the bytes golive sent.
  return cmd + "[ $rc -eq 0 ] || exit $rc\n[ \"$h\" = " + shell_quote(expected_sha256) +
         " ] || exit 0\n" + after + "\nexit 0\n";
}

namespace {

// Test seam: GOLIVE_TEST_CORRUPT_UPLOAD=<host name> flips one byte in the middle of every stream
// sent to that host, after it was hashed: what a faulty link or disk would do.
InputSource corrupting(InputSource read, const std::string& host, std::uint64_t total) {
  const char* target = std::getenv("GOLIVE_TEST_CORRUPT_UPLOAD");
  if (target == nullptr || host != target) return read;
  return [read = std::move(read), at = total / 2, offset = std::uint64_t{0}](
             char* buf, std::size_t cap) mutable -> std::ptrdiff_t {
    const std::ptrdiff_t n = read(buf, cap);
    if (n > 0 && at >= offset && at < offset + static_cast<std::uint64_t>(n)) {
      buf[at - offset] = static_cast<char>(buf[at - offset] ^ 0x20);
    }
    if (n > 0) offset += static_cast<std::uint64_t>(n);
    return n;
  };
}

}  // namespace

StepResult upload_archive(RemoteHost& host, const UploadArchive& archive,
                          const std::string& remote_dir, Millis timeout,
                          const std::atomic<bool>* cancel, const UploadProgress& progress) {
  return send_archive(host, archive,
                      upload_remote_command(remote_dir, {}, {}, false, archive.zstd()), remote_dir,
                      timeout, cancel, progress);
}

StepResult send_archive(RemoteHost& host, const UploadArchive& archive, const std::string& command,
                        const std::string& remote_dir, Millis timeout,
                        const std::atomic<bool>* cancel, const UploadProgress& progress) {
  StepResult r;
  r.step = "upload";
  r.host = host.name();
  r.started = std::chrono::system_clock::now();
  const auto t0 = std::chrono::steady_clock::now();

  ExecRequest req;
  req.command = command;
  req.timeout = timeout;
  req.stdin_source = corrupting(archive.reader(), host.name(), archive.size());
  if (progress) {
    // Count what the SSH channel takes from the reader: that is what has left for the host.
    req.stdin_source = [read = req.stdin_source, progress, sent = std::uint64_t{0},
                        total = archive.size()](char* buf, std::size_t cap) mutable {
      const std::ptrdiff_t n = read(buf, cap);
      if (n > 0) {
        sent += static_cast<std::uint64_t>(n);
        progress(sent, total);
      }
      return n;
    };
  }
  req.cancel = cancel;
  auto res = host.exec(req);
  r.duration = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - t0);
  if (!res) {
    r.outcome = StepOutcome::kTransportError;
    r.error = res.error().message;
    return r;
  }
  r.exit_status = res->exit_status;
  // Split the hash line out of the output the operator sees.
  std::string remote_hash;
  std::string& out = res->output;
  if (auto at = out.rfind(kHashMarker); at != std::string::npos) {
    auto nl = out.find('\n', at);
    remote_hash = out.substr(at + kHashMarker.size(),
                             nl == std::string::npos ? nl : nl - at - kHashMarker.size());
    out.erase(at, nl == std::string::npos ? std::string::npos : nl - at + 1);
  }
  r.output = std::move(out);
  if (res->timed_out) {
    r.outcome = StepOutcome::kTimedOut;
    r.error = "upload to " + host.name() + " timed out after " + format_seconds(timeout, 1) + "s";
  } else if (res->cancelled) {
    r.outcome = StepOutcome::kCancelled;
    r.error = "upload to " + host.name() + " cancelled";
  } else if (res->exit_status != 0) {
    r.outcome = StepOutcome::kFailed;
    r.error = "extracting the upload into " + remote_dir + " on " + host.name() + " failed (exit " +
              std::to_string(res->exit_status) + ")" + failure_cause(r.output);
  } else if (remote_hash != archive.sha256()) {
    r.outcome = StepOutcome::kFailed;
    r.error = "upload to " + host.name() + " is corrupt: sent sha256 " + archive.sha256() +
              ", host received " + (remote_hash.empty() ? "nothing verifiable" : remote_hash);
  } else {
    r.outcome = StepOutcome::kOk;
  }
  return r;
}

StepResult upload_directory(RemoteHost& host, const std::string& local_dir,
                            const std::string& remote_dir, Millis timeout,
                            const std::atomic<bool>* cancel) {
  auto archive = UploadArchive::build(local_dir);
  if (!archive) {
    StepResult r;
    r.step = "upload";
    r.host = host.name();
    r.started = std::chrono::system_clock::now();
    r.outcome = StepOutcome::kFailed;
    r.error = archive.error().message;
    return r;
  }
  return upload_archive(host, **archive, remote_dir, timeout, cancel);
}

bool is_loopback_address(const std::string& address) {
  return address.starts_with("127.") || address == "::1" || address == "[::1]" ||
         address == "localhost";
}

bool choose_zstd(const std::string& compress, const std::vector<std::string>& addresses,
                 std::uint64_t plain_size, std::uint64_t compressed_size) {
  if (compress == "zstd") return true;
  if (compress != "auto" || addresses.empty()) return false;
  // On loopback the CPU to compress costs more than the bytes it saves.
  if (std::any_of(addresses.begin(), addresses.end(), is_loopback_address)) return false;
  return compressed_size * 10 <= plain_size * 9;
}

}  // namespace golive
