// Runs the runbook's checks for a release and records the verdict (console, ledger, JUnit).
#pragma once

#include <string>
#include <vector>

#include "golive/gate.h"
#include "golive/ledger.h"
#include "orchestrator/context/app_context.h"

namespace golive {

// Runs `checks` with `spec`, prints the verdict, records it under `release_id` / `phase`
// (gate|verify|smoke) and writes JUnit XML to `junit` when set.
GateVerdict run_and_record_gate(AppContext& app, const GateSpec& spec,
                                const std::vector<RenderedCheck>& checks,
                                std::map<std::string, RemoteHost*> hosts, Ledger* ledger,
                                const std::string& release_id, const std::string& phase,
                                const std::string& junit);

// One line per failed check: "login @web1: expected 2xx from /dashboard, got 303".
std::string gate_failure_summary(const GateVerdict& verdict);

}  // namespace golive
