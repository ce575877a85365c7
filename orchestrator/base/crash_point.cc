// GOLIVE_CRASH_AT: the crash-point matrix's seam. Unset in production, where it costs one branch.
#include "golive/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace golive {

void crash_point(std::string_view point, std::string_view detail, std::string_view detail2) {
  static const char* const armed = std::getenv("GOLIVE_CRASH_AT");  // read once, thread-safe
  if (armed == nullptr) return;
  std::string here(point);
  if (!detail.empty()) here.append(":").append(detail);
  if (!detail2.empty()) here.append(":").append(detail2);
  if (here != armed) return;
  ::kill(::getpid(), SIGKILL);  // the one signal nothing can catch: a real crash
  ::pause();
}

}  // namespace golive
