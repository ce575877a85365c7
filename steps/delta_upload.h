// The delta upload: ships only the files the host's base release (the one it serves) lacks,
// recreates the rest on the host as hard links (or copies) of the base release's files, then
// verifies the whole new release against its manifest in the same remote command, before any
// switch. Hard links are safe because golive never writes into a release dir after this
// verification (docs/performance.md, "Delta uploads").
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "steps/upload.h"

namespace golive {

// How a file the base release already holds is recreated in the new one.
enum class ReuseMode {
  kHardLink,  // ln: no data copied (the default; release files are never modified by golive)
  kCopy,      // cp -p --reflink=auto: for apps that modify files in their release dir in place
};

// Which files travel and which are reused from the base release.
struct DeltaPlan {
  std::set<std::string> send;    // regular files sent in the tar
  std::set<std::string> reused;  // regular files recreated from the base release
  std::uint64_t send_bytes = 0;
  std::uint64_t reused_bytes = 0;
  std::string script;  // sh run in the new release dir: the links (or copies), batched per dir
};

// Plans a delta of `files` against `base` (the base release's `.golive-files`, files under
// `base_dir` on the host): a file whose content and mode the base holds at any path (a rename
// too) is reused, everything else is sent.
DeltaPlan plan_delta(const std::vector<FileEntry>& files,
                     const std::map<std::string, FileEntry>& base, const std::string& base_dir,
                     ReuseMode mode);

// The sh run in a release dir after extraction: every file against `.golive-files`
// (sha256sum -c), the tree (types, modes, sizes, symlink targets, nothing extra) against
// `.golive-tree`; prints golive-bad:/golive-missing:/golive-extra: lines, then golive-verify:ok
// or golive-verify:mismatch. Needs $t, the upload command's temp dir.
std::string verify_release_command();

// What a verification said, its marker lines taken out of `output`.
struct ReleaseVerification {
  bool ran = false;  // a golive-verify: line was seen
  bool ok = false;
  std::set<std::string> paths;     // paths named by the mismatches
  std::vector<std::string> lines;  // the mismatch lines, for the operator
};
ReleaseVerification take_verify_report(std::string& output);

struct DeltaRequest {
  RemoteHost* host = nullptr;
  const UploadArchive* full = nullptr;  // built with_manifest
  std::string artifact_dir;             // where the delta's files are read from
  std::string remote_dir;               // the new release dir
  std::string base_dir;                 // the base release dir on the host
  ReuseMode mode = ReuseMode::kHardLink;
  Millis timeout{std::chrono::minutes(10)};
  const std::atomic<bool>* cancel = nullptr;
  UploadProgress progress;
};

// Ships `full` as a delta against the base release and verifies the result. std::nullopt (with
// `why_not` said) when the base offers nothing to reuse: the caller uploads in full. Files of the
// base that differ from its manifest (edited by hand) are found by the verification and sent in
// full in a second stream; any other mismatch fails the step.
std::optional<StepResult> upload_delta(const DeltaRequest& request, std::string& why_not);

}  // namespace golive
