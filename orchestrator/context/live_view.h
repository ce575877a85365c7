// The operator's live progress block on a terminal: one line per host (current step, elapsed,
// done/failed), then a status line for long waits (gate window, upload). Pure rendering: the
// Reporter decides when to draw it and erases it before printing a scrolling line.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace golive {

enum class HostPhase { kWaiting, kRunning, kDone, kFailed };

class LiveView {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // A host's step started (the host's line shows it with a running clock).
  void step_started(const std::string& host, const std::string& step, TimePoint now);
  // A host's step finished; `ok` false marks the host failed.
  void step_finished(const std::string& host, const std::string& step, bool ok, TimePoint now);
  // Progress of the host's current step ("45% of 21.3 MB"), shown until the step ends.
  void step_note(const std::string& host, const std::string& note);
  // Every host done with the phase (the line says "done" instead of the last step).
  void hosts_done(TimePoint now);
  // The wait line under the hosts ("gate: 3 checks"); with a deadline it counts down the time
  // left. Empty text removes it.
  void status(const std::string& text, TimePoint deadline = {});
  // The gate's checks as they fill in, one line each under the hosts; empty removes them.
  void checks(std::vector<std::string> lines) { checks_ = std::move(lines); }
  // Forget everything (a new phase: rollback starts with its own lines).
  void clear();

  bool empty() const { return order_.empty() && status_.empty() && checks_.empty(); }
  // The block as lines, each cut to `width` columns; `color` adds green/red to outcomes.
  std::vector<std::string> render(TimePoint now, std::size_t width, bool color) const;

 private:
  struct Host {
    std::string step;
    std::string note;
    HostPhase phase = HostPhase::kWaiting;
    TimePoint started{};
    TimePoint finished{};
    int steps_done = 0;
  };
  std::vector<std::string> order_;
  std::map<std::string, Host> hosts_;
  std::string status_;
  TimePoint deadline_{};
  std::vector<std::string> checks_;
};

}  // namespace golive
