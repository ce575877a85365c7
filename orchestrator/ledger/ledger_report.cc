#include "orchestrator/ledger/ledger_report.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>

#include "golive/duration.h"
#include "golive/visible_text.h"
#include "golive/vocabulary.h"
#include "orchestrator/ledger/ledger_json.h"

namespace golive {
namespace {

// Parses 2026-11-29T10:15:00Z (fractional seconds and a missing Z tolerated) as UTC.
std::optional<std::chrono::sys_time<std::chrono::milliseconds>> parse_iso(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, used = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6) {
    return std::nullopt;
  }
  std::chrono::year_month_day date{std::chrono::year{y},
                                   std::chrono::month{static_cast<unsigned>(mo)},
                                   std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  long long frac_ms = 0;
  if (static_cast<std::size_t>(used) < s.size() && s[static_cast<std::size_t>(used)] == '.') {
    long long scale = 100;
    for (std::size_t i = static_cast<std::size_t>(used) + 1;
         i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
      frac_ms += (s[i] - '0') * scale;
      scale /= 10;
    }
  }
  return std::chrono::sys_days{date} + std::chrono::hours{h} + std::chrono::minutes{mi} +
         std::chrono::seconds{sec} + std::chrono::milliseconds{frac_ms};
}

// Untrusted text for a terminal: control characters made visible (the one helper every sink
// uses), tabs as spaces so columns stay aligned; line breaks only where kept.
std::string clean(const std::string& text, bool keep_newlines = false) {
  std::string out = visible(text, keep_newlines);
  std::replace(out.begin(), out.end(), '\t', ' ');
  return out;
}

// Display width as UTF-8 code points (good enough for names and commit subjects).
std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

std::string truncate(const std::string& s, std::size_t max) {
  if (width(s) <= max) return s;
  std::size_t points = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80 && ++points == max) {
      return s.substr(0, i) + "…";
    }
  }
  return s;
}

std::string short_commit(const std::string& commit) {
  return commit.substr(0, 7);
}

std::string when(const std::string& iso) {
  std::string out = clean(iso);
  if (out.size() > 10 && out[10] == 'T') out[10] = ' ';
  return out.empty() ? "-" : out;
}

std::string clock_time(const std::string& iso) {
  // 2026-11-29T10:15:00Z -> 10:15:00
  return iso.size() >= 19 && iso[10] == 'T' ? iso.substr(11, 8) : clean(iso);
}

std::string who(const ReleaseRecord& r) {
  std::string name = r.deployer.empty() ? "-" : clean(r.deployer);
  if (!r.trigger.empty() && r.trigger != "cli") name += " (" + clean(r.trigger) + ")";
  return name;
}

std::string release_duration(const ReleaseRecord& r) {
  if (r.finished_at.empty()) return is(r.status, ReleaseStatus::kRunning) ? "running" : "-";
  return format_elapsed(Millis(duration_ms(r.started_at, r.finished_at)));
}

std::string pad(const std::string& s, std::size_t w) {
  std::size_t have = width(s);
  return have >= w ? s : s + std::string(w - have, ' ');
}

std::string table(const std::vector<std::vector<std::string>>& rows, const std::string& indent) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], width(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = indent;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += i + 1 < row.size() ? pad(row[i], widths[i]) + "  " : row[i];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string indented_tail(const std::string& tail, const std::string& indent) {
  std::string out;
  std::istringstream lines(clean(tail, /*keep_newlines=*/true));
  for (std::string line; std::getline(lines, line);) out += indent + "| " + line + "\n";
  return out;
}

std::string step_lines(const std::vector<const StepRunRecord*>& steps) {
  // Grouped by host, in recorded order of first appearance.
  std::vector<std::string> hosts;
  std::map<std::string, std::vector<const StepRunRecord*>> by_host;
  for (const auto* s : steps) {
    if (!by_host.contains(s->host)) hosts.push_back(s->host);
    by_host[s->host].push_back(s);
  }
  std::string out;
  for (const auto& host : hosts) {
    out += "  " + (host.empty() ? std::string("(once)") : clean(host)) + "\n";
    for (const auto* s : by_host[host]) {
      std::vector<std::vector<std::string>> row = {
          {clean(s->step), clock_time(s->started_at) + " -> " + clock_time(s->finished_at),
           format_elapsed(Millis(duration_ms(s->started_at, s->finished_at))),
           "exit " + std::to_string(s->exit_status), clean(s->outcome)}};
      out += table(row, "    ");
      if (!s->output_tail.empty()) out += indented_tail(s->output_tail, "      ");
    }
  }
  return out;
}

Json release_json(const ReleaseRecord& r) {
  Json j = release_to_json(r);
  j["duration_ms"] = r.finished_at.empty() ? -1 : duration_ms(r.started_at, r.finished_at);
  return j;
}

}  // namespace

long long iso8601_ms(const std::string& time) {
  auto t = parse_iso(time);
  return t ? t->time_since_epoch().count() : -1;
}

long long duration_ms(const std::string& started_at, const std::string& finished_at) {
  auto start = parse_iso(started_at);
  auto end = parse_iso(finished_at);
  if (!start || !end || *end < *start) return -1;
  return (*end - *start).count();
}

std::string format_history(const std::vector<ReleaseRecord>& releases) {
  if (releases.empty()) return "No releases recorded.\n";
  std::vector<std::vector<std::string>> rows = {
      {"ID", "ENV", "COMMIT", "WHO", "WHEN", "STATUS", "DURATION"}};
  for (const auto& r : releases) {
    std::string commit = short_commit(clean(r.commit));
    if (!r.subject.empty()) commit += " " + truncate(clean(r.subject), 40);
    rows.push_back({clean(r.id), clean(r.environment), commit.empty() ? "-" : commit, who(r),
                    when(r.started_at), clean(r.status), release_duration(r)});
  }
  return table(rows, "");
}

std::string format_show(const ReleaseDetail& detail) {
  const ReleaseRecord& r = detail.release;
  std::string out =
      "Release " + clean(r.id) + "  " + clean(r.environment) + "  " + clean(r.status) + "\n";
  std::vector<std::vector<std::string>> header;
  auto field = [&](const std::string& name, const std::string& value) {
    if (!value.empty()) header.push_back({name + ":", value});
  };
  field("app", clean(r.app));
  std::string commit = clean(r.commit);
  if (!r.ref.empty()) commit += " (" + clean(r.ref) + ")";
  if (!r.subject.empty()) commit += " " + clean(r.subject);
  field("commit", commit);
  if (!r.runbook_hash.empty() || !r.runbook_commit.empty()) {
    std::string runbook = clean(r.runbook_hash);
    if (!r.runbook_commit.empty()) runbook += " @ " + short_commit(clean(r.runbook_commit));
    field("runbook", runbook);
  }
  field("deployer", who(r));
  field("ci run", clean(r.ci_url));
  field("started", when(r.started_at));
  if (!r.finished_at.empty()) {
    field("finished", when(r.finished_at) + " (" + release_duration(r) + ")");
  }
  field("previous", clean(r.previous_release));
  if (r.time_to_restore_ms >= 0)
    field("time to restore", format_elapsed(Millis(r.time_to_restore_ms)));
  if (r.allow_dirty) field("dirty tree", "allowed");
  field("reason", clean(r.reason));
  out += table(header, "  ");

  std::map<std::string, std::vector<const StepRunRecord*>> by_phase;
  for (const auto& s : detail.steps) by_phase[s.phase].push_back(&s);
  for (Phase phase : {Phase::kBuild, Phase::kDeploy}) {
    auto steps = by_phase.find(str(phase));
    if (steps == by_phase.end()) continue;
    out += std::string("\n") + (phase == Phase::kBuild ? "Build" : "Steps") + "\n";
    out += step_lines(steps->second);
  }
  for (const auto& [phase, steps] : by_phase) {
    const auto known = parse_phase(phase);  // shown above or below
    if (known == Phase::kBuild || known == Phase::kDeploy || known == Phase::kRollback) continue;
    out += "\nSteps (" + clean(phase) + ")\n" + step_lines(steps);
  }

  if (!detail.checks.empty()) {
    out += "\nChecks\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : detail.checks) {
      rows.push_back(
          {clean(c.check), c.host.empty() ? "-" : clean(c.host), clean(c.phase),
           c.passed ? "passed" : "FAILED",
           std::to_string(c.attempts) + (c.attempts == 1 ? " attempt" : " attempts"),
           "p50 " + std::to_string(c.p50_ms) + "ms p95 " + std::to_string(c.p95_ms) + "ms",
           clean(c.reason)});
    }
    out += table(rows, "  ");
  }

  std::vector<std::vector<std::string>> rollback_events;
  std::vector<std::vector<std::string>> other_events;
  for (const auto& e : detail.events) {
    auto& into = e.kind.starts_with("rollback") ? rollback_events : other_events;
    into.push_back({clock_time(e.at), clean(e.kind), clean(e.detail)});
  }
  if (!other_events.empty()) out += "\nEvents\n" + table(other_events, "  ");
  const std::string rollback = str(Phase::kRollback);
  if (by_phase.contains(rollback) || !rollback_events.empty()) {
    out += "\nRollback\n";
    if (!rollback_events.empty()) out += table(rollback_events, "  ");
    if (by_phase.contains(rollback)) out += step_lines(by_phase[rollback]);
  }
  return out;
}

std::string history_json(const std::vector<ReleaseRecord>& releases) {
  Json out = Json::array();
  for (const auto& r : releases) out.push_back(release_json(r));
  return out.dump(2);
}

std::string show_json(const ReleaseDetail& detail) {
  Json out{{"release", release_json(detail.release)},
           {"steps", Json::array()},
           {"checks", Json::array()},
           {"events", Json::array()}};
  for (const auto& s : detail.steps) {
    Json j = step_to_json(s);
    j["duration_ms"] = duration_ms(s.started_at, s.finished_at);
    out["steps"].push_back(std::move(j));
  }
  for (const auto& c : detail.checks) out["checks"].push_back(check_to_json(c));
  for (const auto& e : detail.events) out["events"].push_back(event_to_json(e));
  return out.dump(2);
}

}  // namespace golive
