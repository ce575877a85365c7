// Watches every process's command line on this machine while a test runs golive: what a user with
// `ps` would see. Secrets must never be in it (docs/env-and-secrets.md).
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace golive::testing {

class CommandLineWatch {
 public:
  // Starts sampling `ps -eo args` every 10 ms, keeping each line that holds one of `needles`.
  explicit CommandLineWatch(std::vector<std::string> needles);
  ~CommandLineWatch();  // stops, if stop() was not called
  CommandLineWatch(const CommandLineWatch&) = delete;
  CommandLineWatch& operator=(const CommandLineWatch&) = delete;

  // Stops sampling; idempotent.
  void stop();
  // How many samples were taken (proof that it watched at all).
  int samples() const { return samples_; }
  // The command lines that held a needle (call after stop()).
  const std::vector<std::string>& seen() const { return seen_; }

 private:
  void run();

  std::vector<std::string> needles_;
  std::atomic<bool> done_{false};
  std::atomic<int> samples_{0};
  std::vector<std::string> seen_;  // written by the sampler until stop() joins it
  std::thread sampler_;
};

}  // namespace golive::testing
