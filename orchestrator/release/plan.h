// Planning: the runbook, one environment and a release id become a concrete, rendered plan —
// which hosts in which batches run which commands. Pure data; touches nothing.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "golive/error.h"
#include "golive/plan.h"
#include "golive/redactor.h"
#include "golive/runbook.h"

namespace golive {

// Renders the plan for `env_name`; `env_values` are the release's env values (checks need them).
Result<Plan> make_plan(const Runbook& runbook, const std::string& env_name,
                       const std::string& release_id,
                       const std::map<std::string, std::string>& env_values);

// Splits `host_count` hosts into batches per the strategy (every batch non-empty).
std::vector<std::vector<std::size_t>> make_batches(std::size_t host_count, const Strategy& s);

// True when the strategy sets a canary: the first batch is those hosts, gated alone.
bool has_canary(const Strategy& s);
// True when `batch` of `plan` is its canary.
bool is_canary_batch(const Plan& plan, std::size_t batch);
// The gate of one batch: host-less checks plus the checks of that batch's hosts.
std::vector<RenderedCheck> checks_for_batch(const Plan& plan, std::size_t batch);
// The window of that batch's gate: canary_gate.window for a canary, else gate.window.
Millis gate_window_for_batch(const Plan& plan, std::size_t batch);
// Whether the gate runs after every batch: strategy.gate_each_batch, always with a canary.
bool gates_each_batch(const Plan& plan);
// "batch 1/3 (canary): web1" — how the console and the ledger name a batch.
std::string batch_label(const Plan& plan, std::size_t batch);

// Human-readable plan, per batch and host, step by step; secrets redacted.
std::string plan_text(const Plan& plan, const Redactor& redactor);

// The same as JSON (a string, so callers need not include nlohmann); secrets redacted.
std::string plan_json(const Plan& plan, const Redactor& redactor);

}  // namespace golive
