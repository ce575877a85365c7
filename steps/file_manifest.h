// A release's file tree as the delta upload compares and verifies it: `.golive-files` (every
// regular file's SHA-256, mode, size and path, kept in the release dir so the next deploy can
// reuse unchanged files) and the expected `find` listing checked on the host before the switch.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "golive/error.h"

namespace golive {

// One entry of an artifact tree.
struct FileEntry {
  char type = 'f';          // 'f' regular file, 'd' directory, 'l' symlink
  unsigned mode = 0;        // permission bits (st_mode & 07777)
  std::uint64_t size = 0;   // regular files
  std::string sha256;       // regular files: lowercase hex of the content
  std::string path;         // relative to the release dir, '/'-separated
  std::string link_target;  // symlinks
};

// File names golive adds to a release dir (the first one stays, the others are transient).
inline constexpr std::string_view kFilesManifestName = ".golive-files";
inline constexpr std::string_view kTreeListingName = ".golive-tree";
inline constexpr std::string_view kLinkScriptName = ".golive-link.sh";

// `.golive-files`: "<sha256> <mode in octal> <size> <path>" per regular file, sorted by path.
std::string files_manifest_text(const std::vector<FileEntry>& entries);

// Parses `.golive-files` back into path -> entry; an error names the first malformed line.
Result<std::map<std::string, FileEntry>> parse_files_manifest(std::string_view text);

// What tree_listing_command() prints on the host for a release holding exactly `entries`:
// "f <mode> <size> <path>", "d <mode> <path>", "l <path> -> <target>", sorted bytewise.
std::string tree_listing_text(const std::vector<FileEntry>& entries);

// The sh pipeline listing the tree under the current directory in tree_listing_text()'s form
// (GNU find), golive's own files left out.
std::string tree_listing_command();

// True when every name and link target fits both formats (no newline, no backslash): only then
// is a release shipped by delta and given a `.golive-files`.
bool manifest_representable(const std::vector<FileEntry>& entries);

}  // namespace golive
