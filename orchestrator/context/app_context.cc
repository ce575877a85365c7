#include "orchestrator/context/app_context.h"

#include <csignal>

namespace golive {

std::string signal_description(const AppContext& app) {
  const int sig = app.signal != nullptr ? app.signal->load() : 0;
  switch (sig) {
    case SIGINT:
      return "SIGINT (Ctrl-C)";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP (the terminal or SSH session closed)";
    case SIGQUIT:
      return "SIGQUIT";
    case SIGUSR1:
      return "SIGUSR1";
    case SIGUSR2:
      return "SIGUSR2";
    case SIGALRM:
      return "SIGALRM";
    default:
      return "a signal";
  }
}

}  // namespace golive
