// `golive history [ENV]`: releases from the ledger, newest first.
#include "orchestrator/cli/command_support.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/ledger/ledger_report.h"

namespace golive {
int cmd_history(AppContext& app, const std::string& environment, int limit,
                const std::string& since) {
  auto ledger = open_for_reading(app);
  if (!ledger) return report_ledger_error(app, ledger.error());
  HistoryQuery q{environment, limit, since};
  auto rows = (*ledger)->history(q);
  if (!rows) return report_ledger_error(app, rows.error());
  std::printf("%s", app.options.json ? (history_json(*rows) + "\n").c_str()
                                     : format_history(*rows).c_str());
  return 0;
}

}  // namespace golive
