// Everything golive tells a human goes through the Reporter: redacted, line by line, prefixed by
// host, safe to call from many threads. Machine output (--json) goes to stdout separately.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "golive/redactor.h"
#include "golive/remote_host.h"
#include "orchestrator/adapters/log/log_file.h"

namespace golive {

struct ReporterOptions {
  bool quiet = false;    // only warnings, errors and the final summary
  bool verbose = false;  // also debug detail
  bool color = false;    // only on a terminal, never with --no-color or in CI
  std::string log_file;  // also append every line (redacted, timestamped) here; empty: none
};

class Reporter {
 public:
  Reporter(const Redactor& redactor, ReporterOptions options);
  ~Reporter();
  Reporter(const Reporter&) = delete;
  Reporter& operator=(const Reporter&) = delete;

  void info(std::string_view text);    // progress
  void detail(std::string_view text);  // only with --verbose
  void warn(std::string_view text);
  void error(std::string_view text);    // always shown
  void summary(std::string_view text);  // final outcome, shown even with --quiet

  // A callback streaming one command's output as "host | line", secrets redacted even when split
  // across chunks. The returned callback must be finished with flush_stream(host).
  OutputCallback stream_for(const std::string& host);
  void flush_stream(const std::string& host);

  const Redactor& redactor() const { return redactor_; }

 private:
  void emit(std::string_view prefix, std::string_view text, bool show);
  void host_line(const std::string& host, std::string_view line);

  struct HostStream;
  const Redactor& redactor_;
  ReporterOptions options_;
  std::mutex mu_;
  std::unique_ptr<LogFile> log_;  // the run log; null when none or it cannot be opened
  std::map<std::string, std::unique_ptr<HostStream>> streams_;
};

}  // namespace golive
