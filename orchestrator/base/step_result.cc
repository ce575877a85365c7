#include "golive/step_result.h"

namespace golive {

const char* to_string(StepOutcome outcome) {
  switch (outcome) {
    case StepOutcome::kOk:
      return "ok";
    case StepOutcome::kFailed:
      return "failed";
    case StepOutcome::kTimedOut:
      return "timed_out";
    case StepOutcome::kTransportError:
      return "transport_error";
    case StepOutcome::kCancelled:
      return "cancelled";
    case StepOutcome::kSkipped:
      return "skipped";
  }
  return "unknown";
}

}  // namespace golive
