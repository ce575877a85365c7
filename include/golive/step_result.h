// The outcome of one step on one host: data the executor, ledger and rollback all read.
#pragma once

#include <chrono>
#include <string>
#include <utility>

#include "golive/duration.h"

namespace golive {

enum class StepOutcome { kOk, kFailed, kTimedOut, kTransportError, kCancelled, kSkipped };

// Stable lowercase name for records and JSON ("ok", "failed", "timed_out", ...).
const char* to_string(StepOutcome outcome);

struct StepResult {
  std::string step;
  std::string host;  // runbook host name; "local" for local steps
  StepOutcome outcome = StepOutcome::kSkipped;
  int exit_status = -1;
  std::string output;  // redacted tail
  std::string error;   // why, when not ok (redacted)
  std::chrono::system_clock::time_point started;
  Millis duration{0};

  bool ok() const { return outcome == StepOutcome::kOk || outcome == StepOutcome::kSkipped; }
};

// A result with just its identity and outcome set (the rest filled in by the caller).
inline StepResult make_step_result(std::string step, std::string host, StepOutcome outcome) {
  StepResult r;
  r.step = std::move(step);
  r.host = std::move(host);
  r.outcome = outcome;
  return r;
}

}  // namespace golive
