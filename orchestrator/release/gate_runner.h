// Runs the runbook's checks for a release and records the verdict (console, ledger, JUnit).
#pragma once

#include <string>
#include <vector>

#include "golive/gate.h"
#include "golive/ledger.h"
#include "golive/vocabulary.h"
#include "orchestrator/context/app_context.h"

namespace golive {

// Runs `checks` with `spec`, prints the verdict and records it under `release_id` / `phase`
// (gate, verify or smoke).
GateVerdict run_and_record_gate(AppContext& app, const GateSpec& spec,
                                const std::vector<RenderedCheck>& checks,
                                std::map<std::string, RemoteHost*> hosts, Ledger* ledger,
                                const std::string& release_id, Phase phase);

// The JUnit file of one command (`--junit`): every gate it ran, one testsuite each (each batch's
// gate, the verify of a restore), rewritten after each so a CI job killed mid-rollout still
// reports the gates that ran. Without a path it writes nothing.
class JunitReport {
 public:
  explicit JunitReport(std::string path) : path_(std::move(path)) {}

  // Adds `verdict` as testsuite `name` and rewrites the file, redacted; a warning if it cannot.
  void add(AppContext& app, std::string name, const GateVerdict& verdict);

 private:
  std::string path_;
  std::vector<JunitSuite> suites_;
};

// One line per failed check: "login @web1: expected 2xx from /dashboard, got 303".
std::string gate_failure_summary(const GateVerdict& verdict);

}  // namespace golive
