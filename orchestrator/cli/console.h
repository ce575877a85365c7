// How golive talks to the person or CI job running it: the Reporter (colors, live view, log
// file) and the CI output, chosen once from the terminal, the flags and the environment.
#pragma once

#include <string>

#include "orchestrator/context/app_context.h"

namespace golive {

// Sets app.ci and app.reporter. `writes` is true for commands that change something (deploy,
// rollback, smoke, ledger sync, lock release, hosts trust): only those keep .golive/golive.log
// beside the runbook, so read-only commands leave the repository untouched.
void install_console(AppContext& app, bool no_color, bool writes);

// "golive 0.1.0 (commit 3f2a9c1d0e8b)": the version and the commit the binary was built from.
std::string version_text();

// The bash or zsh completion script; empty for an unknown shell.
std::string completion_script(const std::string& shell);

}  // namespace golive
