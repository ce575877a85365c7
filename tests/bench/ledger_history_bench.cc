// Builds a 100,000-release ledger in a temp file and times `history --limit 20` and
// `history ENV --limit 20` (median of several runs). Prints milliseconds.
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "golive/clock.h"
#include "golive/ledger.h"

namespace {

using golive::HistoryQuery;
using golive::Ledger;
using golive::ReleaseRecord;
using Ms = std::chrono::duration<double, std::milli>;

constexpr int kReleases = 100'000;
constexpr int kRuns = 15;

template <class Fn>
double median_ms(Fn&& fn) {
  std::vector<double> times;
  for (int i = 0; i < kRuns; ++i) {
    auto start = std::chrono::steady_clock::now();
    fn();
    times.push_back(Ms(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main() {
  std::string dir =
      (std::filesystem::temp_directory_path() / "golive-ledger-bench-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  std::string path = dir + "/ledger.db";
  int rc = 0;
  {
    auto ledger = golive::open_sqlite_ledger(path);
    if (!ledger) {
      std::fprintf(stderr, "%s\n", ledger.error().message.c_str());
      return 1;
    }
    const char* envs[] = {"production", "staging", "qa", "demo"};
    auto base = std::chrono::sys_days{std::chrono::year{2024} / 1 / 1};
    std::vector<ReleaseRecord> releases;
    releases.reserve(kReleases);
    for (int i = 0; i < kReleases; ++i) {
      ReleaseRecord r;
      auto started = base + std::chrono::minutes{15 * i};
      r.started_at = golive::iso8601(started);
      r.finished_at = golive::iso8601(started + std::chrono::minutes{3});
      char id[64];
      std::snprintf(id, sizeof id, "%s-%07x", r.started_at.c_str(), i);
      r.id = id;
      r.app = "client-portal";
      r.environment = envs[i % 4];
      r.commit = std::string(40, 'a');
      r.subject = "Release number " + std::to_string(i);
      r.deployer = i % 3 ? "ci-bot" : "alice";
      r.trigger = i % 3 ? "ci" : "cli";
      r.status = i % 10 ? "succeeded" : "rolled_back";
      releases.push_back(std::move(r));
    }
    auto build_start = std::chrono::steady_clock::now();
    auto added = (*ledger)->import_releases(releases);  // one transaction
    if (!added || *added != kReleases) {
      std::fprintf(stderr, "bulk import failed: %s\n",
                   added ? "count mismatch" : added.error().message.c_str());
      return 1;
    }
    std::printf("built %d releases in %.0f ms\n", kReleases,
                Ms(std::chrono::steady_clock::now() - build_start).count());

    auto run = [&](const HistoryQuery& q) {
      auto h = (*ledger)->history(q);
      if (!h || h->size() != 20) rc = 1;
    };
    std::printf("history --limit 20: %.3f ms (median of %d)\n", median_ms([&] {
                  run({"", 20, ""});
                }),
                kRuns);
    std::printf("history production --limit 20: %.3f ms (median of %d)\n", median_ms([&] {
                  run({"production", 20, ""});
                }),
                kRuns);
    std::printf("history qa --limit 20 --since 2025-06-01: %.3f ms (median of %d)\n",
                median_ms([&] {
                  run({"qa", 20, "2025-06-01"});
                }),
                kRuns);
    std::printf("last_good production: %.3f ms (median of %d)\n", median_ms([&] {
                  auto g = (*ledger)->last_good("production");
                  if (!g || !g->has_value()) rc = 1;
                }),
                kRuns);
    auto verify_start = std::chrono::steady_clock::now();
    auto report = (*ledger)->verify();
    std::printf("verify: %.0f ms (%s)\n",
                Ms(std::chrono::steady_clock::now() - verify_start).count(),
                report && report->ok ? "ok" : "FAILED");
    if (!report || !report->ok) rc = 1;
  }
  std::filesystem::remove_all(dir);
  return rc;
}
