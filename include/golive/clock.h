// Time as an interface so gate windows and budgets can be tested without sleeping.
#pragma once

#include <chrono>
#include <memory>
#include <string>

namespace golive {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point now() const = 0;
  virtual std::chrono::system_clock::time_point wall() const = 0;
  virtual void sleep_for(std::chrono::milliseconds d) = 0;
};

// The real clock.
std::unique_ptr<Clock> make_system_clock();

// ISO-8601 UTC with seconds, e.g. 2026-11-29T10:15:00Z.
std::string iso8601(std::chrono::system_clock::time_point t);

}  // namespace golive
