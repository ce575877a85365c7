#include "orchestrator/release/deadline_watch.h"

namespace golive {

DeadlineWatch::DeadlineWatch(const std::atomic<bool>* cancel, TimePoint deadline) {
  // 50 ms polling: a stop is noticed well within the executor's own reaction time, and the
  // thread costs nothing measurable.
  thread_ = std::thread([this, cancel, deadline] {
    while (!done_) {
      if (cancel != nullptr && cancel->load()) {
        stop_ = true;
        return;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        deadline_passed_ = true;
        stop_ = true;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
}

DeadlineWatch::~DeadlineWatch() {
  done_ = true;
  thread_.join();
}

}  // namespace golive
