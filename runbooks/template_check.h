// Validates every template of a runbook: syntax, where each kind of reference is allowed, vars
// defined in every environment, env.NAME declared.
#pragma once

#include <set>
#include <string>

#include "runbooks/diagnostics.h"
#include "runbooks/runbook_schema.h"

namespace golive {

// Checks `parsed.templates`. `declared_env` holds env.required names and env.example keys;
// when `env_declarations_known` is false (the example file could not be read) env.NAME
// references are not checked, to avoid one error per reference for a single missing file.
void check_templates(const ParsedRunbook& parsed, const std::set<std::string>& declared_env,
                     bool env_declarations_known, Diagnostics& diags);

}  // namespace golive
