// `golive show ID`: one release from the ledger: steps, checks, outputs, timings.
#include "orchestrator/cli/command_support.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/ledger/ledger_report.h"

namespace golive {
int cmd_show(AppContext& app, const std::string& id) {
  auto ledger = open_for_reading(app);
  if (!ledger) return report_ledger_error(app, ledger.error());
  auto detail = (*ledger)->show(id);
  if (!detail) return report_ledger_error(app, detail.error());
  std::printf(
      "%s", app.options.json ? (show_json(*detail) + "\n").c_str() : format_show(*detail).c_str());
  return 0;
}

}  // namespace golive
