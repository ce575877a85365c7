// Helpers shared by the scenario tests (gtest assertions; header-only so that the harness, which
// benchmarks link too, stays free of GoogleTest).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/harness/scenario.h"

namespace golive::testing {

using nlohmann::json;

// The fake staging secrets of examples/portal/.env.staging: none may appear in any output.
inline const char* const kSecrets[] = {"demo-staging-FAKE-secret-key-0123456789abcdef",
                                       "demo-staging-FAKE-smtp-password",
                                       "demo-staging-FAKE-smoke-password"};

// A failing gate costs its whole window: keep it short (passing gates finish early anyway).
inline const char* const kShortGate =
    "gate: { window: 2s, interval: 200ms, consecutive: 2, timeout: 1s }";

inline std::string steps_block(const std::string& before_switch, const std::string& after_restart) {
  return "steps:\n"
         "  - { name: upload, upload: artifact }\n"
         "  - name: migrate\n"
         "    run: echo up {{ release.id }} >> ../../shared/migrations.log\n"
         "    undo: echo down {{ release.id }} >> ../../shared/migrations.log\n"
         "    once: true\n" +
         before_switch +
         "  - { name: switch, switch: current }\n"
         "  - { name: restart, run: \"./bin/restart {{ host.address }}\", timeout: 30s }\n" +
         after_restart;
}

// A `sleep 30` that only this scenario runs (its length carries the scenario's app port), so a
// pgrep for it never finds another test's sleeps.
inline std::string unique_sleep(const Scenario& s) {
  return "sleep 30." + std::to_string(s.app_port());
}

inline std::string notify_block(const std::string& url) {
  return "notify:\n  - { webhook: \"" + url +
         "\", on: [rolled_back, rollback_failed, failed, succeeded] }\n";
}

// Runbook = the scenario's default with the given blocks replaced (empty: keep the default).
inline std::string runbook(Scenario& s, const std::string& steps, const std::string& rollback,
                           const std::string& extra, const std::string& gate = kShortGate,
                           const std::string& budget = "") {
  std::string y = s.default_runbook(extra);
  if (!steps.empty()) y = replace_block(y, "steps", steps);
  if (!rollback.empty()) y = replace_block(y, "rollback", rollback);
  if (!gate.empty()) y = replace_block(y, "gate", gate);
  if (!budget.empty()) y = replace_block(y, "budget", budget);
  return y;
}

inline json parse(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  return j;
}

// The release id a `deploy --json` printed (its last stdout line is the outcome object).
inline std::string release_of(const GoliveRun& run) {
  std::istringstream in(run.out);
  std::string line, id;
  while (std::getline(in, line)) {
    auto j = parse(line);
    if (j.is_object() && j.contains("release")) id = j["release"].get<std::string>();
  }
  return id;
}

inline json show(Scenario& s, const std::string& id) {
  GoliveRun run = s.golive({"show", id, "--json"});
  EXPECT_EQ(run.exit_code, 0) << run.all();
  return parse(run.out);
}

inline std::string status_in_history(Scenario& s, const std::string& id) {
  GoliveRun run = s.golive({"history", "--json", "--limit", "50"});
  EXPECT_EQ(run.exit_code, 0) << run.all();
  json j = parse(run.out);
  if (!j.is_array()) return "(history not json: " + run.out + ")";
  for (const auto& r : j) {
    if (r.value("id", "") == id) return r.value("status", "");
  }
  return "(not in history)";
}

inline void expect_all_serve(Scenario& s, const std::string& id) {
  ASSERT_FALSE(id.empty());
  for (int k = 1; k <= s.hosts(); ++k) {
    EXPECT_EQ(s.current(k), id) << "web" << k << " current";
    EXPECT_EQ(s.healthz(k), "ok " + id) << "web" << k << " /healthz";
  }
}

// A good deploy of the repo's HEAD; returns its release id.
inline std::string deploy_ok(Scenario& s, const std::string& reason = "good") {
  GoliveRun run = s.golive({"deploy", "staging", "--reason", reason, "--json"});
  EXPECT_EQ(run.exit_code, 0) << run.all();
  std::string id = release_of(run);
  EXPECT_FALSE(id.empty()) << run.out;
  return id;
}

inline std::vector<std::string> event_kinds(const json& detail) {
  std::vector<std::string> kinds;
  for (const auto& e : detail["events"]) kinds.push_back(e.value("kind", ""));
  return kinds;
}

inline bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

inline void expect_no_secret(const std::string& text, const std::string& where) {
  for (const char* secret : kSecrets) {
    EXPECT_EQ(text.find(secret), std::string::npos) << where << " leaks " << secret;
  }
}

inline void print_ttr(const std::string& test, long long ms) {
  std::printf("[ time-to-restore ] %s: %lld ms\n", test.c_str(), ms);
}

}  // namespace golive::testing
