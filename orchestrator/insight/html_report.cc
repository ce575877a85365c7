#include "orchestrator/insight/html_report.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <set>

#include "golive/duration.h"
#include "golive/visible_text.h"
#include "golive/vocabulary.h"
#include "orchestrator/ledger/ledger_report.h"

namespace golive {
namespace {

// Light and dark enough to print; the same colour per outcome everywhere in the report.
const char* kStyle = R"(
:root{--ok:#1a7f37;--rb:#bc4c00;--bad:#cf222e;--worse:#82071e;--muted:#6e7781;--run:#0969da;
--int:#8250df;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:1200px;padding:1rem;color:#1f2328;line-height:1.4}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
h3{font-size:1rem;margin:1rem 0 .3rem}.meta{color:var(--muted);margin:0}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(13rem,1fr));gap:.75rem}
.tile{border:1px solid var(--line);border-radius:8px;padding:.75rem;background:var(--bg)}
.tile h2{font-size:.9rem;margin:0;color:var(--muted);font-weight:600}
.tile .big{font-size:1.8rem;font-weight:700;margin:.2rem 0}.tile p{margin:0}
svg{width:100%;height:auto;display:block}
svg text{font-size:11px;fill:#57606a}
.legend{display:flex;flex-wrap:wrap;gap:.75rem;font-size:.85rem;margin:.3rem 0;padding:0;
list-style:none}
.legend span{display:inline-block;width:.8rem;height:.8rem;border-radius:50%;
vertical-align:middle;margin-right:.25rem}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:var(--bg)}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.status{font-weight:600}
.s-succeeded{color:var(--ok)}.s-rolled_back{color:var(--rb)}.s-failed{color:var(--bad)}
.s-rollback_failed{color:var(--worse)}.s-blocked{color:var(--muted)}.s-running{color:var(--run)}
.s-interrupted{color:var(--int)}
.f-succeeded{fill:var(--ok)}.f-rolled_back{fill:var(--rb)}.f-failed{fill:var(--bad)}
.f-rollback_failed{fill:var(--worse)}.f-blocked{fill:var(--muted)}.f-running{fill:var(--run)}
.f-interrupted{fill:var(--int)}.f-deploys{fill:var(--ok)}.f-failures{fill:var(--bad)}
.release{border:1px solid var(--line);border-radius:8px;padding:.5rem .75rem;margin:.75rem 0}
pre{white-space:pre-wrap;word-break:break-word;margin:0;font-size:.8rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .75rem;margin:.3rem 0}
dt{color:var(--muted)}dd{margin:0;word-break:break-word}
@media (max-width:600px){body{padding:.5rem}.tile .big{font-size:1.4rem}
th,td{padding:.25rem .3rem}}
@media print{body{max-width:none}.scroll{overflow:visible}.release{break-inside:avoid}
a{color:inherit;text-decoration:none}}
)";

// The legend's order: outcomes first, then the ones still open.
constexpr ReleaseStatus kStatuses[] = {ReleaseStatus::kSucceeded, ReleaseStatus::kRolledBack,
                                       ReleaseStatus::kFailed,    ReleaseStatus::kRollbackFailed,
                                       ReleaseStatus::kBlocked,   ReleaseStatus::kInterrupted,
                                       ReleaseStatus::kRunning};

// The CSS colour variable of a status.
const char* status_colour(ReleaseStatus s) {
  switch (s) {
    case ReleaseStatus::kSucceeded:
      return "ok";
    case ReleaseStatus::kRolledBack:
      return "rb";
    case ReleaseStatus::kFailed:
      return "bad";
    case ReleaseStatus::kRollbackFailed:
      return "worse";
    case ReleaseStatus::kRunning:
      return "run";
    case ReleaseStatus::kInterrupted:
      return "int";
    case ReleaseStatus::kBlocked:
      break;
  }
  return "muted";
}

// Redacts, then escapes: the one way text gets into the document.
class Text {
 public:
  explicit Text(const RedactFn& r) : r_(r) {}
  std::string operator()(const std::string& s) const { return markup_escape(r_(s)); }

 private:
  const RedactFn& r_;
};

// A release id as an element id: only characters that need no escaping anywhere.
std::string anchor(const std::string& id) {
  std::string out = "r-";
  for (char c : id) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-') ? c : '_';
  return out;
}

std::string status_class(const std::string& status) {
  // Only a known word becomes a class name; anything else is shown as blocked.
  return str(parse_release_status(status).value_or(ReleaseStatus::kBlocked));
}

std::string percent(const std::optional<double>& v) {
  if (!v) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", *v * 100);
  return buf;
}

std::string tiles(const DoraStats& s) {
  char freq[64];
  std::snprintf(freq, sizeof freq, "%.1f / week", s.all.deploys_per_week);
  auto tile = [](const std::string& id, const std::string& title, const std::string& big,
                 const std::string& note) {
    return "<div class=\"tile\" id=\"" + id + "\"><h2>" + title + "</h2><p class=\"big\">" +
           markup_escape(big) + "</p><p>" + markup_escape(note) + "</p></div>\n";
  };
  const auto& f = s.all;
  std::string out = "<section class=\"tiles\" id=\"tiles\" aria-label=\"DORA measures\">\n";
  out += tile("tile-frequency", "Deployment frequency", freq,
              std::to_string(f.deployments) + " deployments in " +
                  std::to_string(static_cast<int>(s.days + 0.5)) + " days");
  out += tile("tile-lead-time", "Lead time for changes", format_spread_ms(f.lead_time.median_ms),
              "median; p90 " + format_spread_ms(f.lead_time.p90_ms) + " (" +
                  std::to_string(f.lead_time.samples) + " releases)");
  out += tile("tile-failure-rate", "Change failure rate", percent(f.change_failure_rate),
              std::to_string(f.change_failures) + " of " + std::to_string(f.reached_hosts) +
                  " that reached hosts");
  out += tile("tile-restore", "Time to restore", format_spread_ms(f.time_to_restore.median_ms),
              "median; p90 " + format_spread_ms(f.time_to_restore.p90_ms) + " (" +
                  std::to_string(f.time_to_restore.samples) + " restores)");
  return out + "</section>\n";
}

std::string legend() {
  std::string out = "<ul class=\"legend\">";
  for (ReleaseStatus s : kStatuses) {
    out += std::string("<li><span style=\"background:var(--") + status_colour(s) + ")\"></span>" +
           str(s) + "</li>";
  }
  return out + "</ul>\n";
}

// One lane per environment, one dot per release at its start time.
std::string timeline(const ReportInput& in, const Text& t) {
  std::vector<std::string> envs;
  for (const auto& d : in.releases) {
    if (std::find(envs.begin(), envs.end(), d.release.environment) == envs.end()) {
      envs.push_back(d.release.environment);
    }
  }
  std::sort(envs.begin(), envs.end());
  const int width = 1000, left = 110, lane = 28;
  const int height = std::max(1, static_cast<int>(envs.size())) * lane + 24;
  std::string out = "<section id=\"timeline\"><h2>Timeline</h2>\n";
  out += "<svg viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
         "\" role=\"img\" aria-label=\"releases over time, coloured by outcome\">\n";
  const double span =
      std::max<double>(1.0, static_cast<double>(in.stats.until_ms - in.stats.since_ms));
  for (std::size_t i = 0; i < envs.size(); ++i) {
    const int y = static_cast<int>(i) * lane + lane / 2 + 4;
    out += "<text x=\"0\" y=\"" + std::to_string(y + 4) + "\">" + t(envs[i]) + "</text>";
    out += "<line x1=\"" + std::to_string(left) + "\" x2=\"" + std::to_string(width) + "\" y1=\"" +
           std::to_string(y) + "\" y2=\"" + std::to_string(y) + "\" stroke=\"#d0d7de\"/>\n";
  }
  for (const auto& d : in.releases) {
    const long long at = iso8601_ms(d.release.started_at);
    if (at < in.stats.since_ms || at > in.stats.until_ms) continue;
    const auto lane_index =
        std::find(envs.begin(), envs.end(), d.release.environment) - envs.begin();
    const double x = left + (width - left - 8) * static_cast<double>(at - in.stats.since_ms) / span;
    char pos[64];
    std::snprintf(pos, sizeof pos, "cx=\"%.1f\" cy=\"%d\"", x,
                  static_cast<int>(lane_index) * lane + lane / 2 + 4);
    out += "<a href=\"#" + anchor(d.release.id) + "\"><circle class=\"dot f-" +
           status_class(d.release.status) + "\" " + pos + " r=\"6\"><title>" +
           t(d.release.id + " " + d.release.status + " " + d.release.started_at) +
           "</title></circle></a>\n";
  }
  out += "<text x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(height - 2) + "\">" +
         t(in.stats.weeks.empty() ? "" : in.stats.weeks.front().week) + "</text>";
  out += "<text x=\"" + std::to_string(width) + "\" y=\"" + std::to_string(height - 2) +
         "\" text-anchor=\"end\">" + t(in.generated_at.substr(0, 10)) + "</text>\n";
  return out + "</svg>\n" + legend() + "</section>\n";
}

// Two bars per week: deployments and change failures.
std::string weekly_chart(const DoraStats& s, const Text& t) {
  const int width = 1000, height = 180, base = 150, top = 10;
  int most = 1;
  for (const auto& w : s.weeks) most = std::max({most, w.deployments, w.change_failures});
  std::string out = "<section id=\"weekly\"><h2>Deployments and failures per week</h2>\n";
  out +=
      "<svg viewBox=\"0 0 1000 180\" role=\"img\" aria-label=\"deployments and change "
      "failures per week\">\n";
  out += "<line x1=\"30\" x2=\"1000\" y1=\"150\" y2=\"150\" stroke=\"#d0d7de\"/>";
  out += "<text x=\"0\" y=\"" + std::to_string(top + 8) + "\">" + std::to_string(most) +
         "</text><text x=\"0\" y=\"150\">0</text>\n";
  const double slot = s.weeks.empty() ? 1.0 : (width - 30.0) / static_cast<double>(s.weeks.size());
  const std::size_t label_every = std::max<std::size_t>(1, s.weeks.size() / 8);
  for (std::size_t i = 0; i < s.weeks.size(); ++i) {
    const auto& w = s.weeks[i];
    const double x = 30 + slot * static_cast<double>(i);
    const double bar = std::max(1.0, slot * 0.38);
    auto rect = [&](double bx, int value, const char* cls, const char* what) {
      const double h = (base - top) * static_cast<double>(value) / most;
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">", cls,
                    bx, base - h, bar, h);
      return std::string(buf) + "<title>" + t(w.week + ": " + std::to_string(value) + " " + what) +
             "</title></rect>";
    };
    out += rect(x + slot * 0.1, w.deployments, "f-deploys", "deployments");
    out += rect(x + slot * 0.1 + bar, w.change_failures, "f-failures", "change failures");
    if (i % label_every == 0) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%d\">", x + slot * 0.1, height - 14);
      out += buf + t(w.week.substr(5)) + "</text>";
    }
    out += "\n";
  }
  out +=
      "</svg>\n<ul class=\"legend\"><li><span style=\"background:var(--ok)\"></span>"
      "deployments</li><li><span style=\"background:var(--bad)\"></span>change failures</li>"
      "</ul>\n</section>\n";
  return out;
}

std::string releases_table(const ReportInput& in, const Text& t) {
  std::string out =
      "<section id=\"releases\"><h2>Recent releases</h2>\n<div class=\"scroll\">"
      "<table id=\"releases-table\"><thead><tr><th>release</th><th>env</th><th>commit</th>"
      "<th>who</th><th>started</th><th>status</th><th>duration</th></tr></thead><tbody>\n";
  if (in.releases.empty()) {
    out += "<tr><td colspan=\"7\">No releases recorded.</td></tr>\n";
  }
  for (std::size_t i = 0; i < in.releases.size() && i < in.table_limit; ++i) {
    const ReleaseDetail& d = in.releases[i];
    const ReleaseRecord& r = d.release;
    out += "<tr><td><a href=\"#" + anchor(r.id) + "\">" + t(r.id) + "</a></td><td>" +
           t(r.environment) + "</td><td>" + t(r.commit.substr(0, 7) + " " + r.subject) +
           "</td><td>" + t(r.deployer) + "</td><td>" + t(r.started_at) +
           "</td><td class=\"status s-" + status_class(r.status) + "\">" + t(r.status) +
           "</td><td class=\"num\">" +
           t(format_elapsed(Millis(duration_ms(r.started_at, r.finished_at)))) + "</td></tr>\n";
  }
  return out + "</tbody></table></div></section>\n";
}

std::string release_detail(const ReleaseDetail& d, const Text& t) {
  const ReleaseRecord& r = d.release;
  std::string out = "<article class=\"release\" id=\"" + anchor(r.id) + "\"><h3>" + t(r.id) +
                    " <span class=\"status s-" + status_class(r.status) + "\">" + t(r.status) +
                    "</span></h3>\n<dl>";
  auto row = [&](const char* k, const std::string& v) {
    if (!v.empty()) out += std::string("<dt>") + k + "</dt><dd>" + t(v) + "</dd>";
  };
  row("environment", r.environment);
  row("commit", r.commit + (r.subject.empty() ? "" : " " + r.subject));
  row("deployer", r.deployer + " (" + r.trigger + ")");
  row("reason", r.reason);
  row("started", r.started_at);
  row("finished", r.finished_at);
  row("previous", r.previous_release);
  if (r.time_to_restore_ms >= 0)
    row("time to restore", format_elapsed(Millis(r.time_to_restore_ms)));
  out += "</dl>\n";
  if (!d.steps.empty()) {
    out +=
        "<div class=\"scroll\"><table class=\"steps\"><thead><tr><th>host</th><th>phase</th>"
        "<th>step</th><th>outcome</th><th>exit</th><th>time</th></tr></thead><tbody>\n";
    std::vector<StepRunRecord> steps = d.steps;
    std::stable_sort(steps.begin(), steps.end(),
                     [](const auto& a, const auto& b) { return a.host < b.host; });
    for (const auto& s : steps) {
      out += "<tr><td>" + t(s.host.empty() ? "(local)" : s.host) + "</td><td>" + t(s.phase) +
             "</td><td>" + t(s.step) + "</td><td>" + t(s.outcome) + "</td><td class=\"num\">" +
             std::to_string(s.exit_status) + "</td><td class=\"num\">" +
             t(format_elapsed(Millis(duration_ms(s.started_at, s.finished_at)))) + "</td></tr>\n";
    }
    out += "</tbody></table></div>\n";
  }
  if (!d.checks.empty()) {
    out +=
        "<div class=\"scroll\"><table class=\"checks\"><thead><tr><th>check</th><th>host</th>"
        "<th>phase</th><th>attempts</th><th>p50</th><th>p95</th><th>result</th></tr></thead>"
        "<tbody>\n";
    for (const auto& c : d.checks) {
      out += "<tr><td>" + t(c.check) + "</td><td>" + t(c.host) + "</td><td>" + t(c.phase) +
             "</td><td class=\"num\">" + std::to_string(c.attempts) + "</td><td class=\"num\">" +
             std::to_string(c.p50_ms) + " ms</td><td class=\"num\">" + std::to_string(c.p95_ms) +
             " ms</td><td>" + (c.passed ? "passed" : "failed: " + t(c.reason)) + "</td></tr>\n";
    }
    out += "</tbody></table></div>\n";
  }
  bool any_rollback = false;
  for (const auto& e : d.events) any_rollback |= e.kind.rfind("rollback", 0) == 0;
  if (any_rollback || !d.events.empty()) {
    out += "<h4>events</h4><ul class=\"events\">";
    for (const auto& e : d.events) {
      out += "<li><b>" + t(e.kind) + "</b> " + t(e.at) + " <pre>" + t(e.detail) + "</pre></li>";
    }
    out += "</ul>\n";
  }
  return out + "</article>\n";
}

}  // namespace

std::string render_html_report(const ReportInput& in, const RedactFn& redact) {
  Text t(redact);
  std::string out =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>golive report: " +
      t(in.title) + "</title><style>" + kStyle +
      "</style></head>\n<body>\n<header><h1>golive report: " + t(in.title) +
      "</h1><p class=\"meta\">generated " + t(in.generated_at) + "; " +
      std::to_string(in.releases.size()) + " release(s) in the window</p></header>\n";
  out += tiles(in.stats);
  out += timeline(in, t);
  out += weekly_chart(in.stats, t);
  out += releases_table(in, t);
  out += "<section id=\"details\"><h2>Release details</h2>\n";
  for (std::size_t i = 0; i < in.releases.size() && i < in.table_limit; ++i) {
    out += release_detail(in.releases[i], t);
  }
  out += "</section>\n</body></html>\n";
  // Belt and braces: a secret split across two escaped fields would still be caught here.
  return redact(out);
}

}  // namespace golive
