// `golive report --html`: one self-contained HTML file (inline CSS and SVG, no script, no font,
// no external URL): DORA tiles, a timeline of releases coloured by outcome, deploys and failures
// per week, the recent releases with a detail section each. Every text passes the redactor and
// is HTML-escaped.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "golive/ledger.h"
#include "orchestrator/insight/dora_stats.h"

namespace golive {

struct ReportInput {
  std::string title;         // e.g. "portal: production"
  std::string generated_at;  // ISO-8601
  DoraStats stats;
  std::vector<ReleaseDetail> releases;  // the window's releases, newest first (timeline)
  std::size_t table_limit = 50;         // the table and details show the newest this many
};

// The redactor of every sink (Redactor::redact); a function so this module stays pure.
using RedactFn = std::function<std::string(std::string_view)>;

// The whole HTML document.
std::string render_html_report(const ReportInput& input, const RedactFn& redact);

}  // namespace golive
