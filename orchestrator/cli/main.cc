// golive entry point: fatal errors (exceptions) are caught once here; everything else is data.
#include <cstdio>
#include <exception>

#include "orchestrator/cli/cli.h"

int main(int argc, char** argv) {
  try {
    return golive::run_cli(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "golive: fatal: %s\n", e.what());
    return 5;
  }
}
