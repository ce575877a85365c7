// `golive validate`: schema and semantic checks, every error at once.
#include "orchestrator/adapters/json/json.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/release/target.h"

namespace golive {
int cmd_validate(AppContext& app) {
  auto rb = load_runbook(app);
  if (!rb) {
    app.reporter->summary(rb.error().message);
    return static_cast<int>(rb.error().exit);
  }
  std::size_t hosts = 0;
  for (const auto& e : rb->environments) hosts += e.hosts.size();
  app.reporter->summary(rb->file + ": ok (" + rb->app + ", schema v" + std::to_string(rb->version) +
                        ", " + std::to_string(rb->environments.size()) + " environments, " +
                        std::to_string(hosts) + " hosts, " + std::to_string(rb->steps.size()) +
                        " steps, " + std::to_string(rb->checks.size()) + " checks)");
  if (app.options.json)
    std::printf("{\"valid\": true, \"file\": %s}\n", Json(rb->file).dump().c_str());
  return 0;
}

}  // namespace golive
