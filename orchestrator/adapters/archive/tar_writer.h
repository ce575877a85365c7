// Writing tar streams (libarchive): pax-restricted (plain ustar unless a name needs pax), no
// padding to a block multiple, owners set to root. The bytes go to a caller's sink as produced.
#pragma once

#include <sys/stat.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "golive/error.h"

namespace golive {

// Receives the archive bytes in order; an error aborts the archive with its message.
using TarSink = std::function<Status(std::string_view bytes)>;

// One tar stream being written: per entry add_entry(), then its data for regular files; close().
class TarWriter {
 public:
  // Starts a stream writing to `sink`; `zstd`: the stream is compressed with zstd (level 3).
  static Result<std::unique_ptr<TarWriter>> open(TarSink sink, bool zstd = false);
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  // Starts entry `path` with the type, mode, size and mtime of `st` (regular file, directory or
  // symlink to `symlink_target`); uid/gid are 0 and user names are not recorded.
  Status add_entry(const std::string& path, const struct stat& st,
                   const std::string& symlink_target = {});
  // Appends bytes of the current regular file's data (st_size in total).
  Status write_data(std::string_view bytes);
  // Ends the stream (the trailing zero blocks reach the sink).
  Status close();

 private:
  struct Impl;
  explicit TarWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace golive
