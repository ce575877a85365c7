// `golive init [--template T] [DIR]`: scaffolds golive.yml and .env.example.
#include <filesystem>
#include <fstream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/gitignore.h"
#include "runbooks/templates.h"

namespace golive {
namespace fs = std::filesystem;

int cmd_init(AppContext& app, const std::string& template_name, const std::string& dir) {
  auto files = init_template(template_name);
  if (!files) {
    std::string names;
    for (const auto& n : init_template_names()) names += (names.empty() ? "" : ", ") + n;
    app.reporter->error("unknown template '" + template_name + "' (available: " + names + ")");
    return static_cast<int>(ExitCode::kUsage);
  }
  for (const auto& [name, content] : *files) {
    fs::path path = fs::path(dir) / name;
    if (fs::exists(path)) {
      app.reporter->error(path.string() + " already exists; not overwriting it");
      return static_cast<int>(ExitCode::kUsage);
    }
  }
  fs::create_directories(dir);
  for (const auto& [name, content] : *files) {
    fs::path path = fs::path(dir) / name;
    std::ofstream(path) << content;
    app.reporter->info("wrote " + path.string());
  }
  // golive keeps its ledger and log in .golive/ beside the runbook: never commit them.
  if (auto s = ignore_golive_dir(dir); !s) app.reporter->warn(s.error().message);
  app.reporter->summary("next: edit golive.yml, then `golive validate` and `golive plan staging`");
  return 0;
}

}  // namespace golive
