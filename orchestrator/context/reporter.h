// Everything golive tells a human goes through the Reporter: redacted, line by line, prefixed by
// host, safe to call from many threads. Machine output (--json) goes to stdout separately.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "golive/gate.h"
#include "golive/redactor.h"
#include "golive/remote_host.h"
#include "orchestrator/adapters/log/log_file.h"
#include "golive/step_result.h"
#include "orchestrator/context/ci_output.h"
#include "orchestrator/context/live_view.h"

namespace golive {

struct ReporterOptions {
  bool quiet = false;      // only warnings, errors and the final summary
  bool verbose = false;    // also debug detail
  bool color = false;      // only on a terminal, never with --no-color or in CI
  std::string log_file;    // also append every line (redacted, timestamped) here; empty: none
  bool live = false;       // stderr is a terminal: redraw a per-host progress block in place
  CiOutput* ci = nullptr;  // folds phases in the CI job log (GitHub groups, GitLab sections)
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

  // A phase of the run ("build", "batch 1/2: web1, web2", "gate", "rollback"): a fold in the CI
  // log, a header line on a terminal. The previous phase ends.
  void phase(const std::string& title);
  // Host progress: plain lines ("web1: migrate ok (1.2s)") or the live block's host line.
  void step_started(const std::string& host, const std::string& step);
  void step_finished(const StepResult& result);
  // A long wait ("gate: 4 checks") under the live block, counting down to `deadline` when set;
  // plain mode prints nothing (the phase's lines say it). Empty text ends the wait.
  void waiting(const std::string& text, std::chrono::steady_clock::time_point deadline = {});
  // Upload progress of `host` (bytes sent of total) for its live line; empty outside live mode.
  std::function<void(std::uint64_t, std::uint64_t)> upload_progress_for(const std::string& host);
  // The gate's checks so far, as lines of the live block (pass / checking, attempts, last
  // reason); empty removes them. Nothing in plain mode.
  void gate_progress(const std::vector<CheckResult>& so_far);
  // Leaves the live block on screen as it is and stops redrawing it: a prompt comes next.
  void settle();

  const Redactor& redactor() const { return redactor_; }

 private:
  void open_log();
  void emit(std::string_view prefix, std::string_view text, bool show);
  void host_line(const std::string& host, std::string_view line);
  // Live mode, with mu_ held: erase the block / draw it again below the last line.
  void erase_block();
  void draw_block();
  void tick();

  struct HostStream;
  const Redactor& redactor_;
  ReporterOptions options_;
  std::mutex mu_;
  std::unique_ptr<LogFile> log_;  // the run log; null when none or it cannot be opened
  std::map<std::string, std::unique_ptr<HostStream>> streams_;
  LiveView view_;
  std::size_t drawn_lines_ = 0;  // lines of the block on screen now
  bool stop_ticker_ = false;
  std::condition_variable ticker_cv_;
  std::thread ticker_;  // redraws the clocks while a block is on screen
};

}  // namespace golive
