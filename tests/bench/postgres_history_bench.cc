// Starts a real PostgreSQL server (tests/harness/postgres_server.h), builds a 100,000-release
// ledger in it and times `history --limit 20` in process (median of several runs) and through the
// real binary (whole command: start, connect, migrate check, recover, query, print). Prints ms.
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "golive/clock.h"
#include "golive/ledger.h"
#include "orchestrator/adapters/postgres/postgres_ledger.h"
#include "tests/harness/postgres_server.h"
#include "tests/harness/scenario.h"

namespace {

using golive::HistoryQuery;
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

std::vector<ReleaseRecord> releases() {
  const char* envs[] = {"production", "staging", "qa", "demo"};
  auto base = std::chrono::sys_days{std::chrono::year{2024} / 1 / 1};
  std::vector<ReleaseRecord> out;
  out.reserve(kReleases);
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
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

int main() {
  std::string why = golive::testing::PostgresServer::unavailable_reason();
  if (!why.empty()) {
    std::fprintf(stderr, "skipped: %s\n", why.c_str());
    return 0;
  }
  golive::testing::PostgresServer server;
  server.create_database("bench");
  setenv("PGPASSWORD", server.password().c_str(), 1);
  auto ledger = golive::open_postgres_ledger(server.url("bench"));
  if (!ledger) {
    std::fprintf(stderr, "%s\n", ledger.error().message.c_str());
    return 1;
  }
  int rc = 0;
  auto build_start = std::chrono::steady_clock::now();
  auto added = (*ledger)->import_releases(releases());  // one transaction
  if (!added || *added != kReleases) {
    std::fprintf(stderr, "bulk import failed: %s\n",
                 added ? "count mismatch" : added.error().message.c_str());
    return 1;
  }
  std::printf("built %d releases in %.0f ms\n", kReleases,
              Ms(std::chrono::steady_clock::now() - build_start).count());
  server.psql("bench", "ANALYZE");
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
  std::printf("last_good production: %.3f ms (median of %d)\n", median_ms([&] {
                auto g = (*ledger)->last_good("production");
                if (!g || !g->has_value()) rc = 1;
              }),
              kRuns);
  // The whole command, as a user runs it (no runbook: the ledger comes from GOLIVE_LEDGER).
  std::string command = "cd /tmp && GOLIVE_LEDGER=" + server.url("bench") +
                        " PGPASSWORD=" + server.password() + " " + GOLIVE_BINARY +
                        " history --limit 20 >/dev/null 2>&1";
  std::printf("golive history --limit 20 (whole process): %.1f ms (median of %d)\n", median_ms([&] {
                int status = 0;
                golive::testing::Scenario::sh(command, &status);
                if (status != 0) rc = 1;
              }),
              kRuns);
  auto verify_start = std::chrono::steady_clock::now();
  auto report = (*ledger)->verify();
  std::printf("verify: %.0f ms (%s)\n", Ms(std::chrono::steady_clock::now() - verify_start).count(),
              report && report->ok ? "ok" : "FAILED");
  if (!report || !report->ok) rc = 1;
  return rc;
}
