// The command line (CLI11): parses arguments and dispatches to one command function each.
#pragma once

namespace golive {

// Runs golive with the given arguments; returns the process exit code.
int run_cli(int argc, char** argv);

}  // namespace golive
