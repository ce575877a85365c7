#include "steps/file_manifest.h"

#include <algorithm>
#include <cstdio>

namespace golive {
namespace {

bool hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string octal(unsigned mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%o", mode);
  return buf;
}

}  // namespace

std::string files_manifest_text(const std::vector<FileEntry>& entries) {
  std::vector<const FileEntry*> files;
  for (const auto& e : entries) {
    if (e.type == 'f') files.push_back(&e);
  }
  std::sort(files.begin(), files.end(),
            [](const FileEntry* a, const FileEntry* b) { return a->path < b->path; });
  std::string out;
  for (const auto* e : files) {
    out += e->sha256 + " " + octal(e->mode) + " " + std::to_string(e->size) + " " + e->path + "\n";
  }
  return out;
}

Result<std::map<std::string, FileEntry>> parse_files_manifest(std::string_view text) {
  std::map<std::string, FileEntry> out;
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty()) continue;
    auto bad = [&] {
      return fail(std::string(kFilesManifestName) + " line " + std::to_string(line_no) +
                  " is malformed");
    };
    const auto s1 = line.find(' ');
    const auto s2 = s1 == std::string_view::npos ? s1 : line.find(' ', s1 + 1);
    const auto s3 = s2 == std::string_view::npos ? s2 : line.find(' ', s2 + 1);
    if (s3 == std::string_view::npos || s3 + 1 >= line.size()) return bad();
    FileEntry e;
    e.sha256 = std::string(line.substr(0, s1));
    const std::string mode(line.substr(s1 + 1, s2 - s1 - 1));
    const std::string size(line.substr(s2 + 1, s3 - s2 - 1));
    if (!hex64(e.sha256) || mode.empty() || size.empty() ||
        mode.find_first_not_of("01234567") != std::string::npos ||
        size.find_first_not_of("0123456789") != std::string::npos || mode.size() > 5 ||
        size.size() > 19) {
      return bad();
    }
    e.mode = static_cast<unsigned>(std::stoul(mode, nullptr, 8));
    e.size = std::stoull(size);
    e.path = std::string(line.substr(s3 + 1));
    out[e.path] = std::move(e);
  }
  return out;
}

std::string tree_listing_text(const std::vector<FileEntry>& entries) {
  std::vector<std::string> lines;
  lines.reserve(entries.size());
  for (const auto& e : entries) {
    if (e.type == 'f') {
      lines.push_back("f " + octal(e.mode) + " " + std::to_string(e.size) + " " + e.path);
    }
    if (e.type == 'd') lines.push_back("d " + octal(e.mode) + " " + e.path);
    if (e.type == 'l') lines.push_back("l " + e.path + " -> " + e.link_target);
  }
  // Bytewise, as `LC_ALL=C sort` orders the host's listing.
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::string tree_listing_command() {
  return "find . -mindepth 1 ! -path './" + std::string(kFilesManifestName) + "' ! -path './" +
         std::string(kTreeListingName) + "' ! -path './" + std::string(kLinkScriptName) +
         "' \\( -type f -printf 'f %m %s %P\\n' -o -type l -printf 'l %P -> %l\\n' -o -type d "
         "-printf 'd %m %P\\n' -o -printf '? %P\\n' \\) | LC_ALL=C sort";
}

bool manifest_representable(const std::vector<FileEntry>& entries) {
  return std::none_of(entries.begin(), entries.end(), [](const FileEntry& e) {
    return e.path.find_first_of("\n\\") != std::string::npos ||
           e.link_target.find_first_of("\n\\") != std::string::npos;
  });
}

}  // namespace golive
