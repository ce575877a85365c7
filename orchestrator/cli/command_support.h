// Small pieces several cmd_*.cc share: turning an Error into an exit code, opening the ledger to
// read it.
#pragma once

#include <memory>

#include "golive/error.h"
#include "golive/ledger.h"
#include "orchestrator/context/app_context.h"

namespace golive {

// Prints the error and returns its exit code.
int report_error(AppContext& app, const Error& e);

// For the ledger readers (history, show, ledger): prints the error and returns its exit code,
// except that a usage error there means the ledger could not be read (exit 5).
int report_ledger_error(AppContext& app, const Error& e);

// The ledger for commands that may run without a valid runbook (history/show on a laptop).
Result<std::unique_ptr<Ledger>> open_for_reading(AppContext& app);

}  // namespace golive
