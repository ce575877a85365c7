// `golive deploy ENV`: validate, build, ship, gate, record; roll back by itself on failure.
#pragma once

#include <string>

#include "orchestrator/context/app_context.h"

namespace golive {

struct DeployArgs {
  std::string environment;
  std::string ref = "HEAD";
  std::string reason;
  std::string junit;  // write the gate's checks as JUnit XML here
  bool allow_dirty = false;
  bool full_upload = false;  // --full-upload: every host gets the whole artifact (no delta)
};

// Runs a whole deploy; returns the documented exit code.
int cmd_deploy(AppContext& app, const DeployArgs& args);

}  // namespace golive
