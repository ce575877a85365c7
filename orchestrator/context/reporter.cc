#include "orchestrator/context/reporter.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

#include "golive/duration.h"
#include "golive/visible_text.h"

namespace golive {

// Line assembly after redaction: a secret split across chunks is caught by the StreamRedactor
// before the text is cut into lines.
// Output without newlines must not grow without bound: past this, what has arrived is shown as a
// line of its own, marked as continuing.
constexpr std::size_t kMaxLineBytes = 16 * 1024;

struct Reporter::HostStream {
  std::string partial;
  std::unique_ptr<StreamRedactor> redactor;
};

void Reporter::open_log() {
  if (options_.log_file.empty()) return;
  // The log is a convenience, never a reason to fail: without it golive still reports on stderr.
  if (auto log = LogFile::open({.path = options_.log_file})) log_ = std::move(*log);
}

Reporter::Reporter(const Redactor& redactor, ReporterOptions options)
    : redactor_(redactor), options_(std::move(options)) {
  open_log();
  if (options_.live) ticker_ = std::thread([this] { tick(); });
}

Reporter::~Reporter() {
  {
    std::lock_guard lock(mu_);
    stop_ticker_ = true;
  }
  ticker_cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

void Reporter::emit(std::string_view prefix, std::string_view text, bool show) {
  // Redact first (a secret is matched in its raw form), then make control characters visible:
  // step output and commit subjects must not drive the operator's terminal or the log viewer.
  std::string clean = visible(redactor_.redact(text), /*keep_newlines=*/true);
  std::lock_guard lock(mu_);
  if (show) {
    erase_block();
    const char* paint = "";
    if (options_.color && prefix == "error: ") paint = "\x1b[31m";
    if (options_.color && prefix == "warning: ") paint = "\x1b[33m";
    std::fprintf(stderr, "%s%.*s%s%s\n", paint, static_cast<int>(prefix.size()), prefix.data(),
                 *paint != '\0' ? "\x1b[0m" : "", clean.c_str());
    draw_block();
  }
  if (log_) log_->write(std::string(prefix) + clean);
}

void Reporter::erase_block() {
  if (drawn_lines_ == 0) return;
  std::fprintf(stderr, "\x1b[%zuA\x1b[J", drawn_lines_);
  drawn_lines_ = 0;
}

void Reporter::draw_block() {
  if (!options_.live || view_.empty()) return;
  winsize ws{};
  std::size_t width = 80;
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) width = ws.ws_col;
  for (const auto& line :
       view_.render(std::chrono::steady_clock::now(), width - 1, options_.color)) {
    std::fprintf(stderr, "%s\n", line.c_str());
    ++drawn_lines_;
  }
  std::fflush(stderr);
}

void Reporter::tick() {
  std::unique_lock lock(mu_);
  while (!stop_ticker_) {
    ticker_cv_.wait_for(lock, std::chrono::milliseconds(250));
    if (stop_ticker_ || drawn_lines_ == 0) continue;
    erase_block();
    draw_block();
  }
}

void Reporter::phase(const std::string& title) {
  std::lock_guard lock(mu_);
  if (options_.live) {
    // The finished phase's block stays on screen as the record of it.
    erase_block();
    view_.hosts_done(std::chrono::steady_clock::now());
    draw_block();
    drawn_lines_ = 0;
    view_.clear();
  }
  if (options_.ci != nullptr) options_.ci->group_begin(title);
  const std::string clean = visible(redactor_.redact(title));
  if (options_.live)
    std::fprintf(stderr, "%s== %s%s\n", options_.color ? "\x1b[1m" : "", clean.c_str(),
                 options_.color ? "\x1b[0m" : "");
  if (log_) log_->write("== " + clean);
}

void Reporter::step_started(const std::string& host, const std::string& step) {
  if (options_.live) {
    std::lock_guard lock(mu_);
    erase_block();
    view_.step_started(host, step, std::chrono::steady_clock::now());
    draw_block();
  }
  detail(host + ": " + step);
}

void Reporter::step_finished(const StepResult& r) {
  if (options_.live) {
    std::lock_guard lock(mu_);
    erase_block();
    view_.step_finished(r.host, r.step, r.ok(), std::chrono::steady_clock::now());
    draw_block();
  }
  if (r.ok()) {
    // On a terminal the host's line says it; the log keeps the line either way.
    emit("", r.host + ": " + r.step + " ok (" + format_duration(r.duration) + ")",
         !options_.quiet && !options_.live);
  } else {
    error(r.host + ": " + r.step + " " + r.error);
  }
}

std::function<void(std::uint64_t, std::uint64_t)> Reporter::upload_progress_for(
    const std::string& host) {
  if (!options_.live) return nullptr;
  return [this, host](std::uint64_t sent, std::uint64_t total) {
    char buf[64];
    const double mb = 1024.0 * 1024.0;
    std::snprintf(
        buf, sizeof buf, "%.0f%% of %.1f MB",
        total == 0 ? 100.0 : 100.0 * static_cast<double>(sent) / static_cast<double>(total),
        static_cast<double>(total) / mb);
    std::lock_guard lock(mu_);
    view_.step_note(host, buf);  // the ticker redraws; many chunks, one redraw per tick
  };
}

void Reporter::gate_progress(const std::vector<CheckResult>& so_far) {
  if (!options_.live) return;
  std::vector<std::string> lines;
  for (const auto& c : so_far) {
    std::string line = c.name + (c.host.empty() ? "" : " @" + c.host);
    line.resize(std::max<std::size_t>(line.size(), 28), ' ');
    line += c.passed ? "pass      " : "checking  ";
    line += std::to_string(c.attempts) + (c.attempts == 1 ? " attempt" : " attempts");
    if (!c.passed && !c.reason.empty()) line += ", last: " + c.reason;
    lines.push_back(redactor_.redact(line));
  }
  std::lock_guard lock(mu_);
  erase_block();
  view_.checks(std::move(lines));
  draw_block();
}

void Reporter::settle() {
  std::lock_guard lock(mu_);
  drawn_lines_ = 0;
  view_.clear();
}

void Reporter::waiting(const std::string& text, std::chrono::steady_clock::time_point deadline) {
  if (!options_.live) return;
  std::lock_guard lock(mu_);
  erase_block();
  view_.status(text, deadline);
  draw_block();
}

void Reporter::info(std::string_view text) {
  emit("", text, !options_.quiet);
}
void Reporter::detail(std::string_view text) {
  emit("", text, options_.verbose);
}
void Reporter::warn(std::string_view text) {
  emit("warning: ", text, true);
}
void Reporter::error(std::string_view text) {
  emit("error: ", text, true);
}
void Reporter::summary(std::string_view text) {
  if (options_.live) {
    // The outcome comes under the final state of the block, which stays on screen.
    std::lock_guard lock(mu_);
    erase_block();
    view_.hosts_done(std::chrono::steady_clock::now());
    view_.status("");
    draw_block();
    drawn_lines_ = 0;
    view_.clear();
  }
  if (options_.ci != nullptr && options_.ci->provider() != CiProvider::kNone) {
    std::lock_guard lock(mu_);
    options_.ci->group_end();
  }
  emit("", text, true);
}

void Reporter::host_line(const std::string& host, std::string_view line) {
  // CRLF output: the CR is the line ending, not an overwrite.
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Already redacted by the host's StreamRedactor; redacting again is harmless and cheap.
  emit(host + " | ", line, !options_.quiet);
}

OutputCallback Reporter::stream_for(const std::string& host) {
  HostStream* hs;
  {
    std::lock_guard lock(mu_);
    auto& slot = streams_[host];
    if (!slot) {
      slot = std::make_unique<HostStream>();
      HostStream* raw = slot.get();
      slot->redactor =
          std::make_unique<StreamRedactor>(redactor_, [this, host, raw](std::string_view s) {
            raw->partial.append(s);
            std::size_t nl;
            std::size_t start = 0;
            while ((nl = raw->partial.find('\n', start)) != std::string::npos) {
              host_line(host, std::string_view(raw->partial).substr(start, nl - start));
              start = nl + 1;
            }
            raw->partial.erase(0, start);
            while (raw->partial.size() > kMaxLineBytes) {
              host_line(host, std::string(raw->partial, 0, kMaxLineBytes) + " [line continues]");
              raw->partial.erase(0, kMaxLineBytes);
            }
          });
    }
    hs = slot.get();
  }
  return [hs](Stream, std::string_view chunk) { hs->redactor->write(chunk); };
}

void Reporter::flush_stream(const std::string& host) {
  HostStream* hs;
  {
    std::lock_guard lock(mu_);
    auto it = streams_.find(host);
    if (it == streams_.end()) return;
    hs = it->second.get();
  }
  hs->redactor->flush();
  if (!hs->partial.empty()) {
    host_line(host, hs->partial);
    hs->partial.clear();
  }
}

}  // namespace golive
