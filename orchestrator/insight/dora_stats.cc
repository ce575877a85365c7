#include "orchestrator/insight/dora_stats.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>

#include "golive/duration.h"
#include "golive/vocabulary.h"
#include "orchestrator/ledger/ledger_report.h"

namespace golive {
namespace {

constexpr long long kDayMs = 86'400'000;

bool is_rollback_command(const ReleaseRecord& r) {
  return r.trigger == "rollback";
}

// A deploy reached hosts when it ran a step there (build steps run locally and do not count).
bool reached_hosts(const ReleaseDetail& d) {
  return std::any_of(d.steps.begin(), d.steps.end(),
                     [](const StepRunRecord& s) { return !is(s.phase, Phase::kBuild); });
}

bool failed_status(const std::string& status) {
  auto s = parse_release_status(status);
  return s == ReleaseStatus::kFailed || s == ReleaseStatus::kRolledBack ||
         s == ReleaseStatus::kRollbackFailed || s == ReleaseStatus::kInterrupted;
}

// Monday (UTC) of the ISO week holding `ms`, as days since the epoch.
std::chrono::sys_days monday_of(long long ms) {
  auto day = std::chrono::floor<std::chrono::days>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)));
  std::chrono::weekday wd{day};
  return day - std::chrono::days(wd.iso_encoding() - 1);
}

std::string ymd(std::chrono::sys_days d) {
  std::chrono::year_month_day x{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(x.year()),
                static_cast<unsigned>(x.month()), static_cast<unsigned>(x.day()));
  return buf;
}

// Accumulates one group's samples before they become DoraFigures.
struct Group {
  DoraFigures f;
  std::vector<long long> lead, restore;
};

}  // namespace

Spread spread_of(std::vector<long long> v) {
  Spread s;
  s.samples = static_cast<int>(v.size());
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  s.median_ms = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  const auto rank = static_cast<std::size_t>(std::ceil(0.9 * static_cast<double>(n)));
  s.p90_ms = v[std::max<std::size_t>(rank, 1) - 1];
  return s;
}

DoraStats compute_dora_stats(const std::vector<ReleaseDetail>& releases,
                             const std::map<std::string, std::int64_t>& commit_times,
                             long long since_ms, long long until_ms) {
  DoraStats out;
  out.since_ms = since_ms;
  out.until_ms = until_ms;
  out.days = static_cast<double>(until_ms - since_ms) / static_cast<double>(kDayMs);
  std::vector<const ReleaseDetail*> in_window;
  for (const auto& d : releases) {
    long long t = iso8601_ms(d.release.started_at);
    if (t >= since_ms && t <= until_ms) in_window.push_back(&d);
  }
  // A succeeded release that a later `golive rollback` left is a change failure too.
  std::set<std::string> rolled_back_by_hand;
  for (const auto* d : in_window) {
    if (is_rollback_command(d->release) && !d->release.previous_release.empty()) {
      rolled_back_by_hand.insert(d->release.previous_release);
    }
  }
  std::map<std::string, WeekFigures> weeks;
  for (auto w = monday_of(since_ms); w <= monday_of(until_ms) && weeks.size() < 520;
       w += std::chrono::days(7)) {
    weeks[ymd(w)].week = ymd(w);
  }
  Group all;
  std::map<std::string, Group> per_env;
  for (const auto* d : in_window) {
    const ReleaseRecord& r = d->release;
    Group& env = per_env[r.environment];
    WeekFigures& week = weeks[ymd(monday_of(iso8601_ms(r.started_at)))];
    week.week = ymd(monday_of(iso8601_ms(r.started_at)));
    for (Group* g : {&all, &env}) {
      if (r.time_to_restore_ms >= 0) g->restore.push_back(r.time_to_restore_ms);
    }
    if (is_rollback_command(r)) continue;
    const bool reached = reached_hosts(*d);
    const bool succeeded = is(r.status, ReleaseStatus::kSucceeded);
    const bool failure =
        reached && (failed_status(r.status) || (succeeded && rolled_back_by_hand.count(r.id) > 0));
    long long lead = -1;
    if (auto it = commit_times.find(r.commit); succeeded && it != commit_times.end()) {
      long long live = iso8601_ms(r.finished_at);
      if (live >= 0 && live >= it->second * 1000) lead = live - it->second * 1000;
    }
    for (Group* g : {&all, &env}) {
      ++g->f.attempts;
      g->f.reached_hosts += reached;
      g->f.deployments += succeeded;
      g->f.change_failures += failure;
      if (lead >= 0) g->lead.push_back(lead);
    }
    week.deployments += succeeded;
    week.change_failures += failure;
  }
  const double weeks_in_window = std::max(out.days, 1.0) / 7.0;
  auto finish = [&](Group& g) {
    g.f.deploys_per_week = g.f.deployments / weeks_in_window;
    if (g.f.reached_hosts > 0) {
      g.f.change_failure_rate = static_cast<double>(g.f.change_failures) / g.f.reached_hosts;
    }
    g.f.lead_time = spread_of(g.lead);
    g.f.time_to_restore = spread_of(g.restore);
    return g.f;
  };
  out.all = finish(all);
  for (auto& [name, g] : per_env) out.per_environment[name] = finish(g);
  for (auto& [key, w] : weeks) out.weeks.push_back(w);
  return out;
}

std::optional<long long> parse_since(const std::string& text, long long now_ms) {
  if (text.size() >= 2 && (text.back() == 'd' || text.back() == 'w') &&
      text.find_first_not_of("0123456789") == text.size() - 1) {
    const long long n = std::stoll(text.substr(0, text.size() - 1));
    if (n <= 0 || n > 36500) return std::nullopt;
    return now_ms - n * kDayMs * (text.back() == 'w' ? 7 : 1);
  }
  if (auto d = parse_duration(text)) return now_ms - d->count();
  if (text.size() == 10) {
    long long t = iso8601_ms(text + "T00:00:00Z");
    if (t >= 0) return t;
  }
  return std::nullopt;
}

std::string format_spread_ms(const std::optional<long long>& ms) {
  if (!ms) return "-";
  long long s = *ms / 1000;
  char buf[32];
  if (s >= 86400) {
    std::snprintf(buf, sizeof buf, "%lldd %lldh", s / 86400, (s % 86400) / 3600);
    return buf;
  }
  return format_elapsed(Millis(*ms));
}

namespace {

std::string figures_text(const std::string& title, const DoraFigures& f) {
  char buf[512];
  std::string cfr = "-";
  if (f.change_failure_rate) {
    char c[32];
    std::snprintf(c, sizeof c, "%.0f%%", *f.change_failure_rate * 100);
    cfr = c;
  }
  std::snprintf(buf, sizeof buf,
                "%s\n"
                "  deployment frequency   %d deployment(s), %.1f per week (%d attempt(s))\n"
                "  lead time for changes  median %s, p90 %s (%d release(s))\n"
                "  change failure rate    %s (%d of %d that reached hosts)\n"
                "  time to restore        median %s, p90 %s (%d restore(s))\n",
                title.c_str(), f.deployments, f.deploys_per_week, f.attempts,
                format_spread_ms(f.lead_time.median_ms).c_str(),
                format_spread_ms(f.lead_time.p90_ms).c_str(), f.lead_time.samples, cfr.c_str(),
                f.change_failures, f.reached_hosts,
                format_spread_ms(f.time_to_restore.median_ms).c_str(),
                format_spread_ms(f.time_to_restore.p90_ms).c_str(), f.time_to_restore.samples);
  return buf;
}

}  // namespace

std::string format_dora_stats(const DoraStats& s) {
  std::chrono::sys_days since{std::chrono::floor<std::chrono::days>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(s.since_ms)))};
  std::chrono::sys_days until{std::chrono::floor<std::chrono::days>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(s.until_ms)))};
  std::string out = "DORA measures " + ymd(since) + " .. " + ymd(until) + "\n\n";
  if (s.all.attempts == 0 && s.all.time_to_restore.samples == 0) {
    return out + "No releases recorded in this window.\n";
  }
  out += figures_text("all environments", s.all);
  for (const auto& [env, f] : s.per_environment) out += "\n" + figures_text(env, f);
  out += "\nweek (Mon)   deployments  change failures\n";
  for (const auto& w : s.weeks) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%-12s %11d  %15d\n", w.week.c_str(), w.deployments,
                  w.change_failures);
    out += buf;
  }
  return out;
}

}  // namespace golive
