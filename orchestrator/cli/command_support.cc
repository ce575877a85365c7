#include "orchestrator/cli/command_support.h"

#include "golive/runbook_loader.h"
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
  return ReleaseRecorder::open_ledger(app, ledger_path(app, rb));
}

}  // namespace golive
