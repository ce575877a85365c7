#include "orchestrator/adapters/log/log_file.h"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>

namespace golive {

struct LogFile::Impl {
  std::shared_ptr<spdlog::logger> logger;
};

LogFile::LogFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LogFile::~LogFile() = default;

Result<std::unique_ptr<LogFile>> LogFile::open(const LogFileOptions& options) {
  try {
    const auto parent = std::filesystem::path(options.path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        options.path, options.max_bytes, options.max_files);
    auto impl = std::make_unique<Impl>();
    impl->logger = std::make_shared<spdlog::logger>("golive", std::move(sink));
    impl->logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %v", spdlog::pattern_time_type::utc);
    impl->logger->flush_on(spdlog::level::info);
    return std::unique_ptr<LogFile>(new LogFile(std::move(impl)));
  } catch (const std::exception& e) {  // spdlog and std::filesystem report by exception
    return fail("cannot open log file " + options.path + ": " + e.what());
  }
}

void LogFile::write(std::string_view line) {
  try {
    impl_->logger->info("{}", line);
  } catch (const std::exception&) {
    // A full disk must not stop a deploy: the console still has every line.
  }
}

}  // namespace golive
