// A rendered plan: which hosts in which batches run which commands. Pure data, built by the
// planner (orchestrator/release/plan.h) and consumed by the step kinds and the executor.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "golive/gate.h"
#include "golive/runbook.h"

namespace golive {

// A step with its templates rendered for one host.
struct PlannedStep {
  std::string name;
  StepKind kind = StepKind::kRun;
  std::string command;  // run: remote sh command; local: local sh command; upload: source dir
  std::string undo;     // rendered undo command, empty when none
  bool once = false;    // runs on the environment's first host only
  Millis timeout{0};
};

struct HostPlan {
  Host host;
  std::string root;         // rendered release.path
  std::string release_dir;  // <root>/releases/<id>
  std::vector<PlannedStep> steps;
  std::vector<PlannedStep> rollback;  // the runbook's rollback: steps, rendered for this host
};

struct Plan {
  std::string app;
  std::string environment;
  std::string release_id;
  Strategy strategy;
  std::vector<HostPlan> hosts;                    // in runbook order; hosts[0] runs `once` steps
  std::vector<std::vector<std::size_t>> batches;  // indexes into hosts
  std::vector<PlannedStep> build;                 // local, in the clean export
  std::vector<RenderedCheck> checks;              // per host where templates use host.*
  GateSpec gate;                                  // the runbook's gate
  std::vector<std::string> shared;                // release.shared
  int keep = 5;
};

}  // namespace golive
