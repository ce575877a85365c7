// A ledger with known releases over four weeks, written to a real SQLite file and read back,
// shared by the stats and report tests. Times are fixed (the fake clock's "now" is kNow).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "golive/ledger.h"

namespace golive::testing {

// Monday 2026-11-30T12:00:00Z.
inline constexpr long long kNowMs = 1'796'040'000'000;
inline constexpr long long kDayMs = 86'400'000;

namespace known_detail {

inline std::string sha(char c) {
  return std::string(40, c);
}

inline void must(const Status& s) {
  if (!s) throw std::runtime_error(s.error().message);
}

struct Known {
  Known(std::string i, std::string e, std::string c, std::string s, std::string f, std::string st,
        std::string t = "cli", std::string p = "", long long restore = -1, bool r = true)
      : id(std::move(i)),
        env(std::move(e)),
        commit(std::move(c)),
        started(std::move(s)),
        finished(std::move(f)),
        status(std::move(st)),
        trigger(std::move(t)),
        previous(std::move(p)),
        ttr(restore),
        reached(r) {}
  std::string id, env, commit, started, finished, status, trigger, previous;
  long long ttr;
  bool reached;
};

}  // namespace known_detail

using namespace known_detail;

inline std::map<std::string, std::int64_t> known_commit_times() {
  return {{sha('1'), 1793692800},
          {sha('3'), 1794218640},
          {sha('5'), 1794906360},
          {sha('7'), 1795507320}};
}

inline std::vector<ReleaseDetail> write_known_releases(Ledger& ledger) {
  const std::vector<Known> known = {
      // Before the 28-day window: never counted.
      {"20261001-100000-0000000", "production", sha('0'), "2026-10-01T10:00:00Z",
       "2026-10-01T10:05:00Z", "succeeded"},
      {"20261103-100000-1111111", "production", sha('1'), "2026-11-03T10:00:00Z",
       "2026-11-03T10:05:00Z", "succeeded"},
      {"20261105-100000-2222222", "production", sha('2'), "2026-11-05T10:00:00Z",
       "2026-11-05T10:10:00Z", "rolled_back", "cli", "", 120000},
      {"20261110-100000-3333333", "production", sha('3'), "2026-11-10T10:00:00Z",
       "2026-11-10T10:04:00Z", "succeeded"},
      {"20261112-100000-4444444", "production", sha('4'), "2026-11-12T10:00:00Z",
       "2026-11-12T10:00:05Z", "blocked", "cli", "", -1, false},
      {"20261117-100000-5555555", "production", sha('5'), "2026-11-17T10:00:00Z",
       "2026-11-17T10:06:00Z", "succeeded"},
      // A manual rollback of the release above: that release becomes a change failure.
      {"20261117-120000-rollback", "production", "20261110-100000-3333333", "2026-11-17T12:00:00Z",
       "2026-11-17T12:01:00Z", "rolled_back", "rollback", "20261117-100000-5555555", 60000},
      {"20261124-090000-7777777", "staging", sha('7'), "2026-11-24T09:00:00Z",
       "2026-11-24T09:02:00Z", "succeeded"},
  };
  for (const auto& k : known) {
    ReleaseRecord r;
    r.id = k.id;
    r.app = "portal";
    r.environment = k.env;
    r.commit = k.commit;
    r.subject = "change " + k.id.substr(16);
    r.deployer = "Ada <ada@example.com>";
    r.trigger = k.trigger;
    r.started_at = k.started;
    r.previous_release = k.previous;
    must(ledger.begin_release(r));
    if (k.reached) {
      for (const char* host : {"web1", "web2"}) {
        StepRunRecord s{k.id, host, "switch", "deploy", k.started, k.started, 0, "ok", ""};
        must(ledger.record_step(s));
      }
    }
    must(ledger.record_check({k.id, "home", "", "gate", 2, 40, 90, k.status == "succeeded", ""}));
    if (k.status == "rolled_back") {
      must(ledger.record_event({k.id, "rollback_started", "gate failed: home", k.started}));
    }
    must(ledger.finish_release(k.id, k.status, k.finished, k.ttr));
  }
  HistoryQuery q{"", 1000, ""};
  auto rows = ledger.history(q);
  if (!rows) throw std::runtime_error(rows.error().message);
  std::vector<ReleaseDetail> out;
  for (const auto& r : *rows) {
    auto d = ledger.show(r.id);
    if (!d) throw std::runtime_error(d.error().message);
    out.push_back(*d);
  }
  return out;
}

}  // namespace golive::testing
