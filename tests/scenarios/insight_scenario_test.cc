// Release insight through the real binary on the sandbox fleet: `golive diff` between what the
// hosts serve and HEAD, the `started` notification and the deploy's "changes:" line, `golive
// stats` and `golive report` on the ledger the deploys wrote (issue 14).
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/scenarios/scenario_helpers.h"

namespace golive::testing {
namespace {

const char* const kRotatedKey = "demo-staging-FAKE-rotated-secret-key-9876543210";
const char* const kOldKey = "demo-staging-FAKE-secret-key-0123456789abcdef";
const char* const kFlagValue = "checkout-v2-enabled-value";

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

void expect_no_value(const std::string& text, const std::string& where) {
  for (const char* value : {kRotatedKey, kOldKey, kFlagValue}) {
    EXPECT_FALSE(contains(text, value)) << where << " leaks " << value << ":\n" << text;
  }
  expect_no_secret(text, where);
}

// Three commits after the live one: an env key added and one changed, the gate edited, the app.
void three_commits(Scenario& s) {
  std::string env = Scenario::read_file(s.repo() + "/.env.staging");
  env = Scenario::replace(env, kOldKey, kRotatedKey);
  s.write(".env.staging", env + "FEATURE_FLAG=" + kFlagValue + "\n");
  s.write(".env.example", Scenario::read_file(s.repo() + "/.env.example") + "FEATURE_FLAG=off\n");
  s.commit("Rotate the secret key, add a feature flag");
  s.write("golive.yml",
          replace_block(s.runbook(), "gate",
                        "gate: { window: 5s, interval: 250ms, consecutive: 2, timeout: 2s }\n"));
  s.commit("Give the gate a longer window");
  s.write("app/NOTES.md", "checkout v2\n");
  s.commit("Document checkout v2");
}

TEST(InsightScenario, DiffNamesCommitsEnvKeysAndRunbookSectionsButNoValue) {
  Scenario s(2);
  WebhookSink sink;
  s.write("golive.yml", s.default_runbook("notify:\n  - { webhook: \"" + sink.url() +
                                          "\", on: [started, succeeded] }\n"));
  // golive's own log beside the runbook must not be committed with the test's changes.
  s.write(".gitignore", "dist/\n.golive/\n");
  const std::string v1 = s.commit("Notify on start");
  const std::string live = deploy_ok(s, "first");
  three_commits(s);

  GoliveRun text = s.golive({"diff", "staging"});
  ASSERT_EQ(text.exit_code, 0) << text.all();
  EXPECT_TRUE(contains(text.out, "staging: " + live + " (" + v1 + ") -> HEAD")) << text.out;
  EXPECT_TRUE(contains(text.out, "commits: 3")) << text.out;
  for (const char* subject : {"Rotate the secret key, add a feature flag",
                              "Give the gate a longer window", "Document checkout v2"}) {
    EXPECT_TRUE(contains(text.out, subject)) << text.out;
  }
  EXPECT_TRUE(contains(text.out, "Test Deployer")) << text.out;
  EXPECT_TRUE(contains(text.out, "+ FEATURE_FLAG added")) << text.out;
  EXPECT_TRUE(contains(text.out, "~ SECRET_KEY changed")) << text.out;
  EXPECT_FALSE(contains(text.out, "SMTP_PASSWORD")) << text.out;  // unchanged keys not listed
  EXPECT_TRUE(contains(text.out, "runbook: changed")) << text.out;
  EXPECT_TRUE(contains(text.out, "sections: gate\n")) << text.out;
  expect_no_value(text.all(), "diff");

  GoliveRun j = s.golive({"diff", "staging", "HEAD", "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.all();
  expect_no_value(j.all(), "diff --json");
  json d = parse(j.out);
  ASSERT_TRUE(d.is_object()) << j.out;
  EXPECT_EQ(d["commits"].size(), 3u);
  EXPECT_EQ(d["live"]["release"], live);
  ASSERT_EQ(d["env_changes"].size(), 2u) << j.out;
  EXPECT_EQ(d["env_changes"][0]["name"], "FEATURE_FLAG");
  EXPECT_EQ(d["env_changes"][0]["change"], "added");
  EXPECT_EQ(d["env_changes"][0]["after"].get<std::string>().size(), 8u);
  EXPECT_EQ(d["env_changes"][1]["name"], "SECRET_KEY");
  EXPECT_EQ(d["env_changes"][1]["change"], "changed");
  EXPECT_EQ(d["changed_sections"], json::array({"gate"}));

  // An older ref: fewer commits; an unknown one: exit 2, named.
  GoliveRun older = s.golive({"diff", "staging", "HEAD~2"});
  EXPECT_EQ(older.exit_code, 0) << older.all();
  EXPECT_TRUE(contains(older.out, "commits: 1")) << older.out;
  GoliveRun unknown = s.golive({"diff", "staging", "no-such-ref"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.all();
  EXPECT_TRUE(contains(unknown.err, "unknown git ref 'no-such-ref'")) << unknown.all();

  GoliveRun no_env = s.golive({"diff", "moon"});
  EXPECT_EQ(no_env.exit_code, 2) << no_env.all();
  GoliveRun plan = s.golive({"plan", "staging", "--diff"});
  ASSERT_EQ(plan.exit_code, 0) << plan.all();
  EXPECT_TRUE(contains(plan.out,
                       "changes against what staging serves (golive diff staging): 3 "
                       "commits, env: +1 ~1 -0, runbook: changed (gate)"))
      << plan.out;
  expect_no_value(plan.all(), "plan --diff");

  // The next deploy says the same in one line, and in the opt-in `started` notification.
  GoliveRun second = s.golive({"deploy", "staging", "--reason", "second"});
  ASSERT_EQ(second.exit_code, 0) << second.all();
  EXPECT_TRUE(contains(second.all(), "changes: 3 commits, env: +1 ~1 -0, runbook: changed (gate)"))
      << second.all();
  expect_no_value(second.all(), "deploy");
  GoliveRun shown = s.golive({"show", Scenario::release_id_of(second)});
  EXPECT_TRUE(contains(shown.out, "3 commits, env: +1 ~1 -0, runbook: changed (gate)"))
      << shown.out;
  auto bodies = sink.wait_for(4);  // started + succeeded, twice
  ASSERT_GE(bodies.size(), 3u);
  bool saw_changes = false;
  for (const auto& b : bodies) {
    expect_no_value(b, "notification");
    saw_changes |= contains(b, "\"event\":\"started\"") && contains(b, "env: +1 ~1 -0");
  }
  EXPECT_TRUE(saw_changes) << bodies.back();
  GoliveRun same = s.golive({"diff", "staging"});
  EXPECT_TRUE(contains(same.out, "commits: none")) << same.out;
  EXPECT_TRUE(contains(same.out, "env keys: unchanged")) << same.out;
  EXPECT_TRUE(contains(same.out, "runbook: unchanged")) << same.out;

  // A repository without the live commit: said so, env and runbook still compared.
  s.write(".env.staging", Scenario::read_file(s.repo() + "/.env.staging") + "LATE_KEY=x1\n");
  Scenario::sh("cd " + s.repo() +
               " && git checkout -q --orphan rewritten && git add -A && git commit -qm rewritten"
               " && for b in $(git for-each-ref --format='%(refname:short)' refs/heads/ | grep -v "
               "'^rewritten$'); do git branch -q -D $b; done && git reflog expire --expire=now "
               "--all && git gc -q --prune=now");
  GoliveRun orphan = s.golive({"diff", "staging"});
  ASSERT_EQ(orphan.exit_code, 0) << orphan.all();
  EXPECT_TRUE(contains(orphan.out, "does not contain the live commit")) << orphan.out;
  EXPECT_TRUE(contains(orphan.out, "+ LATE_KEY added")) << orphan.out;
}

TEST(InsightScenario, StatsAndReportOnTheLedgerTheDeploysWrote) {
  Scenario s(2);
  // An empty ledger: figures are absent, not zero; the report still renders.
  GoliveRun empty = s.golive({"stats"});
  ASSERT_EQ(empty.exit_code, 0) << empty.all();
  EXPECT_TRUE(contains(empty.out, "No releases recorded")) << empty.out;
  GoliveRun bad = s.golive({"stats", "--since", "last-tuesday"});
  EXPECT_EQ(bad.exit_code, 2) << bad.all();

  deploy_ok(s, "first");
  GoliveRun stats = s.golive({"stats", "staging", "--json"});
  ASSERT_EQ(stats.exit_code, 0) << stats.all();
  json j = parse(stats.out);
  ASSERT_TRUE(j.is_object()) << stats.out;
  EXPECT_EQ(j["all"]["deployments"], 1);
  EXPECT_EQ(j["all"]["reached_hosts"], 1);
  EXPECT_EQ(j["all"]["change_failure_rate"], 0.0);
  EXPECT_EQ(j["all"]["lead_time"]["samples"], 1);  // the commit time came from git
  EXPECT_TRUE(j["all"]["time_to_restore"]["median_ms"].is_null());

  const std::string html = s.dir() + "/report.html";
  GoliveRun report = s.golive({"report", "staging", "--html", html});
  ASSERT_EQ(report.exit_code, 0) << report.all();
  const std::string page = Scenario::read_file(html);
  EXPECT_TRUE(contains(page, "id=\"releases-table\"")) << page.substr(0, 400);
  EXPECT_FALSE(contains(page, "src="));
  expect_no_secret(page, "report");
}

}  // namespace
}  // namespace golive::testing
