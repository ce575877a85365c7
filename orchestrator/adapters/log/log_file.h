// The run log (spdlog): a size-rotated file of timestamped lines. Callers pass lines that are
// already redacted; this adapter only timestamps, appends, flushes and rotates.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "golive/error.h"

namespace golive {

// Where and how big the log may grow before it rotates (file -> file.1 -> ... -> file.N).
struct LogFileOptions {
  std::string path;                         // parent directories are created
  std::size_t max_bytes = 5 * 1024 * 1024;  // rotate when the file would grow past this
  std::size_t max_files = 3;                // rotated files kept besides the current one
};

// An open log file; write() is safe to call from many threads.
class LogFile {
 public:
  // Opens (appending to) options.path; an error says why it cannot be written.
  static Result<std::unique_ptr<LogFile>> open(const LogFileOptions& options);
  ~LogFile();
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;
  // Appends "<UTC ISO-8601 time with ms>Z <line>\n" and flushes it to the file.
  void write(std::string_view line);

 private:
  struct Impl;
  explicit LogFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace golive
