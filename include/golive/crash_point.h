// A test seam for the crash-point matrix (tests/scenarios/crash_matrix_scenario_test.cc): golive
// kills itself with SIGKILL at a named phase boundary, so a test can stop a real deploy or
// rollback exactly there and prove the next command recovers.
#pragma once

#include <string_view>

namespace golive {

// Raises SIGKILL on this process when GOLIVE_CRASH_AT is `point`, or `point:detail` (e.g.
// "after-step:web1:switch" for detail "web1:switch"); otherwise returns at once (the variable is
// read once per process; unset means no string is compared).
void crash_point(std::string_view point, std::string_view detail = {},
                 std::string_view detail2 = {});

}  // namespace golive
