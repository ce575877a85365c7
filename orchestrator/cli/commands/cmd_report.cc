// `golive report [ENV] --html FILE`: the ledger as one self-contained HTML page.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "orchestrator/cli/insight_commands.h"
#include "orchestrator/insight/dora_stats.h"
#include "orchestrator/insight/html_report.h"

namespace golive {

int cmd_report(AppContext& app, const std::string& environment, const std::string& since,
               const std::string& html_file) {
  Reporter& rep = *app.reporter;
  auto data = load_insight_data(app, environment, since);
  if (!data) {
    rep.error(data.error().message);
    return static_cast<int>(data.error().exit);
  }
  ReportInput input;
  input.title = (data->app.empty() ? std::string("releases") : data->app) + ": " +
                (environment.empty() ? std::string("all environments") : environment);
  input.generated_at = iso8601(app.clock->wall());
  input.stats =
      compute_dora_stats(data->releases, data->commit_times, data->since_ms, data->until_ms);
  input.releases = std::move(data->releases);
  const std::string html =
      render_html_report(input, [&](std::string_view text) { return app.redactor.redact(text); });
  // Temp + rename: a reader never sees half a report.
  const std::string tmp = html_file + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << html;
    if (!out.flush()) {
      std::filesystem::remove(tmp);
      rep.error("cannot write " + html_file);
      return static_cast<int>(ExitCode::kUsage);
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, html_file, ec);
  if (ec) {
    std::filesystem::remove(tmp);
    rep.error("cannot write " + html_file + ": " + ec.message());
    return static_cast<int>(ExitCode::kUsage);
  }
  rep.summary("wrote " + html_file + " (" + std::to_string(input.releases.size()) +
              " release(s), " + std::to_string(html.size() / 1024 + 1) + " KiB)");
  return 0;
}

}  // namespace golive
