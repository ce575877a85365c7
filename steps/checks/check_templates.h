// Visits every templated string field of a check, so rendering and reference-finding stay in
// one place as check kinds grow.
#pragma once

#include <functional>
#include <string>

#include "golive/interpolate.h"
#include "golive/runbook.h"

namespace golive {

// Calls `fn` on each string of `spec` that may hold `{{ ... }}`, with how it must be quoted
// (shell for commands, none for URLs and credentials that never reach a command line).
void for_each_check_template(CheckSpec& spec, const std::function<void(std::string&, Quoting)>& fn);

}  // namespace golive
