// golive entry point: fatal errors (exceptions) are caught once here; everything else is data.
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "orchestrator/cli/cli.h"

int main(int argc, char** argv) {
  // One thread per host in a batch (50 by default) would each get a glibc malloc arena of its
  // own, up to 8 per core, and their fragments cost ~20% of the peak RSS at 50 hosts. The threads
  // wait on the network, not on malloc, so four arenas are plenty. MALLOC_ARENA_MAX still wins.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 4);
  try {
    return golive::run_cli(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "golive: fatal: %s\n", e.what());
    return 5;
  }
}
