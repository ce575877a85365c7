// Planning: the runbook, one environment and a release id become a concrete, rendered plan —
// which hosts in which batches run which commands. Pure data; touches nothing.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "golive/error.h"
#include "golive/gate.h"
#include "golive/redactor.h"
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
  std::vector<std::string> shared;                // release.shared
  int keep = 5;
};

// Renders the plan for `env_name`; `env_values` are the release's env values (checks need them).
Result<Plan> make_plan(const Runbook& runbook, const std::string& env_name,
                       const std::string& release_id,
                       const std::map<std::string, std::string>& env_values);

// Splits `host_count` hosts into batches per the strategy (every batch non-empty).
std::vector<std::vector<std::size_t>> make_batches(std::size_t host_count, const Strategy& s);

// Human-readable plan, per batch and host, step by step; secrets redacted.
std::string plan_text(const Plan& plan, const Redactor& redactor);

// The same as JSON (a string, so callers need not include nlohmann); secrets redacted.
std::string plan_json(const Plan& plan, const Redactor& redactor);

}  // namespace golive
