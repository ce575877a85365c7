#include "orchestrator/context/reporter.h"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

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

Reporter::Reporter(const Redactor& redactor, ReporterOptions options)
    : redactor_(redactor), options_(std::move(options)) {
  if (options_.log_file.empty()) return;
  // The log is a convenience, never a reason to fail: without it golive still reports on stderr.
  try {
    std::filesystem::create_directories(std::filesystem::path(options_.log_file).parent_path());
    auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(options_.log_file,
                                                                       5 * 1024 * 1024, 3);
    auto logger = std::make_shared<spdlog::logger>("golive", sink);
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %v", spdlog::pattern_time_type::utc);
    logger->flush_on(spdlog::level::info);
    log_ = logger;
  } catch (const std::exception&) {
    log_.reset();
  }
}

Reporter::~Reporter() = default;

void Reporter::emit(std::string_view prefix, std::string_view text, bool show) {
  std::string clean = redactor_.redact(text);
  std::lock_guard lock(mu_);
  if (show) {
    std::fprintf(stderr, "%.*s%s\n", static_cast<int>(prefix.size()), prefix.data(), clean.c_str());
  }
  if (log_) static_cast<spdlog::logger*>(log_.get())->info("{}{}", prefix, clean);
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
  emit("", text, true);
}

void Reporter::host_line(const std::string& host, std::string_view line) {
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
