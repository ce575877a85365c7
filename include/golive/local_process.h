// The boundary to processes on the operator's machine (build steps, local checks, notify commands).
// The Boost.Process adapter is the only code that includes Boost.Process.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "golive/remote_host.h"

namespace golive {

struct LocalRequest {
  std::string command;  // run with /bin/sh -c
  std::string cwd;
  std::map<std::string, std::string> env;    // added to the inherited environment
  Millis timeout{std::chrono::minutes(10)};  // on expiry the whole process group is killed
  OutputCallback on_output;
  std::string stdin_data;
  Millis kill_grace{std::chrono::seconds(3)};  // after SIGTERM to the group, before SIGKILL
  const std::atomic<bool>* cancel = nullptr;   // optional; set => the process group is killed
};

class LocalProcess {
 public:
  virtual ~LocalProcess() = default;
  // Runs the command to completion or timeout; failure to start is an error, non-zero exit is not.
  virtual Result<ExecResult> run(const LocalRequest& request) = 0;
};

// The Boost.Process-backed runner; safe to share between threads.
std::unique_ptr<LocalProcess> make_local_process();

}  // namespace golive
