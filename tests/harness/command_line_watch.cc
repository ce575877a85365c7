#include "tests/harness/command_line_watch.h"

#include <chrono>
#include <sstream>

#include "tests/harness/scenario.h"

namespace golive::testing {

CommandLineWatch::CommandLineWatch(std::vector<std::string> needles)
    : needles_(std::move(needles)), sampler_([this] { run(); }) {}

CommandLineWatch::~CommandLineWatch() {
  stop();
}

void CommandLineWatch::stop() {
  done_ = true;
  if (sampler_.joinable()) sampler_.join();
}

void CommandLineWatch::run() {
  while (!done_) {
    std::istringstream ps(Scenario::sh("ps -eo args"));
    ++samples_;
    for (std::string line; std::getline(ps, line);) {
      for (const auto& needle : needles_) {
        if (line.find(needle) != std::string::npos) seen_.push_back(line);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace golive::testing
