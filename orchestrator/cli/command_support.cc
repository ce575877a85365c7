#include "orchestrator/cli/command_support.h"

#include <filesystem>

#include "golive/runbook_loader.h"
#include "orchestrator/ledger/ledger_location.h"
#include "orchestrator/release/release_recorder.h"
#include "orchestrator/release/target.h"

namespace golive {

int report_error(AppContext& app, const Error& e) {
  app.reporter->error(e.message);
  return static_cast<int>(e.exit);
}

int report_ledger_error(AppContext& app, const Error& e) {
  app.reporter->error(e.message);
  return static_cast<int>(e.exit == ExitCode::kUsage ? ExitCode::kInfra : e.exit);
}

Result<std::unique_ptr<Ledger>> open_for_reading(AppContext& app) {
  LoadResult loaded = load_runbook_file(app.options.file);
  const Runbook* rb = loaded.runbook ? &*loaded.runbook : nullptr;
  std::string path = ledger_path(app, rb);
  // Reading never creates a ledger (or .golive/) in the user's repository: no file, no releases.
  if (!is_ledger_url(path) && !std::filesystem::exists(path)) path = ":memory:";
  return ReleaseRecorder::open_ledger(app, path);
}

}  // namespace golive
