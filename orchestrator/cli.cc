#include "orchestrator/cli.h"

#include <CLI/CLI.hpp>

namespace golive {

int run_cli(int argc, char** argv) {
  CLI::App app{"golive: deployment runbook and rollback orchestrator"};
  app.set_version_flag("--version", std::string("golive ") + GOLIVE_VERSION);
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return 0;
}

}  // namespace golive
