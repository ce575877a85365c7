// `golive handover ENV [--out FILE.md] [--html FILE]`: the document a new owner runs the portal
// from; live facts read now, releases from the ledger, never a secret value.
#include <cstdio>
#include <ctime>
#include <fstream>

#include "golive/visible_text.h"
#include "orchestrator/audit/handover.h"
#include "orchestrator/cli/command_support.h"
#include "orchestrator/cli/commands.h"

namespace golive {
namespace {

std::string now_iso() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Status write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  if (!f) return fail("cannot write " + path);
  return {};
}

}  // namespace

int cmd_handover(AppContext& app, const std::string& environment, const std::string& out_md,
                 const std::string& html) {
  auto lt = load_launch_target(app, environment);
  if (!lt) return report_error(app, lt.error());
  lt->bind();
  HandoverInput in;
  in.runbook = &lt->target.runbook;
  in.environment = environment;
  in.launch = lt->input.launch;
  in.env = lt->input.env;
  in.generated_at = now_iso();
  app.reporter->info("handover " + environment + ": reading certificates, DNS and the audit");
  in.facts = read_live_facts(in.launch, lt->input.dns, lt->input.timeout);
  if (in.launch.present && !in.launch.url.empty()) {
    in.audit = run_audit(lt->input);
  } else {
    in.audit.notes.push_back("no launch section: the audit did not run");
  }
  if (auto ledger = open_for_reading(app)) {
    HistoryQuery q;
    q.environment = environment;
    q.limit = 50;
    if (auto rows = (*ledger)->history(q)) {
      in.releases = std::move(*rows);
    } else {
      in.ledger_note = rows.error().message;
    }
  } else {
    in.ledger_note = ledger.error().message;
  }
  const std::string md = app.redactor.redact(handover_markdown(in));
  if (!out_md.empty()) {
    if (auto s = write_file(out_md, md); !s) return report_error(app, s.error());
  }
  if (!html.empty()) {
    const std::string title = "Handover: " + in.runbook->app + " (" + environment + ")";
    if (auto s = write_file(html, markdown_to_html(md, title)); !s) {
      return report_error(app, s.error());
    }
  }
  if (out_md.empty() && html.empty()) std::fputs(visible(md, true).c_str(), stdout);
  app.reporter->summary("handover " + environment + ": written" +
                        (out_md.empty() ? "" : " to " + out_md) +
                        (html.empty() ? "" : (out_md.empty() ? " to " : " and ") + html));
  return 0;
}

}  // namespace golive
