// Turns "a signal arrived" or "the deploy's budget ran out" into the one stop flag the executor
// and every running remote command watch, so both end a rollout the same way.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

namespace golive {

class DeadlineWatch {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  // Watches `cancel` (may be null) and `deadline` until destroyed.
  DeadlineWatch(const std::atomic<bool>* cancel, TimePoint deadline);
  ~DeadlineWatch();
  DeadlineWatch(const DeadlineWatch&) = delete;
  DeadlineWatch& operator=(const DeadlineWatch&) = delete;

  // Set once a signal arrived or the deadline passed; hand it to whatever must stop.
  const std::atomic<bool>& stop() const { return stop_; }
  // Whether it was the deadline (not a signal) that raised stop().
  bool deadline_passed() const { return deadline_passed_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<bool> deadline_passed_{false};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace golive
