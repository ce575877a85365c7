// The `launch:` section and the `access` check kind: typed, per-environment overrides, and every
// mistake reported with file:line:col and key path.
#include <gtest/gtest.h>

#include "golive/runbook_loader.h"
#include "tests/runbooks/runbook_test_support.h"

namespace golive {
namespace {

using testing_support::HasError;
using testing_support::HasErrorContaining;
using testing_support::LoadsCleanly;

const std::string kLaunch = R"(launch:
  url: https://portal.example
  domain: portal.example
  aliases: [ https://www.portal.example ]
  redirects:
    - { from: https://portal.example/old, to: https://portal.example/new, status: 308 }
  private_urls: [ https://portal.example/dashboard ]
  owners: { dns: ops@portal.example, ssl: ops@portal.example }
  dkim_selectors: [ mail ]
  monitoring:
    - { name: uptime, url: https://status.example/portal, owner: ops }
  access:
    sessions:
      guest: {}
      alice: { login: https://portal.example/login, user: alice, password: "{{ env.ALICE_PASSWORD }}" }
    rules:
      - { url: https://portal.example/invoices/1, allow: [ alice ] }
env:
  required: [ ALICE_PASSWORD ]
)";

TEST(LaunchSchema, ReadsTheSection) {
  auto r = load_runbook_text(testing_support::kMinimalRunbook + kLaunch, "golive.yml");
  ASSERT_TRUE(LoadsCleanly(r));
  const LaunchSpec& l = r.runbook->launch;
  EXPECT_TRUE(l.present);
  EXPECT_EQ(l.url, "https://portal.example");
  EXPECT_EQ(l.aliases.size(), 1u);
  ASSERT_EQ(l.redirects.size(), 1u);
  EXPECT_EQ(l.redirects[0].status, 308);
  EXPECT_EQ(l.owners.at("dns"), "ops@portal.example");
  ASSERT_EQ(l.access.sessions.size(), 2u);
  EXPECT_TRUE(l.access.sessions[0].url.empty());  // guest
  EXPECT_EQ(l.access.sessions[1].password, "{{ env.ALICE_PASSWORD }}");
  ASSERT_EQ(l.access.rules.size(), 1u);
  EXPECT_EQ(l.access.rules[0].allow, std::vector<std::string>{"alice"});
}

TEST(LaunchSchema, EnvironmentKeysOverrideTopLevel) {
  std::string rb = testing_support::kMinimalRunbook;
  rb.insert(rb.find("    hosts:"), "    launch: { url: https://staging.portal.example }\n");
  auto r = load_runbook_text(rb + kLaunch, "golive.yml");
  ASSERT_TRUE(LoadsCleanly(r));
  const LaunchSpec l = r.runbook->launch_for(r.runbook->environments[0]);
  EXPECT_EQ(l.url, "https://staging.portal.example");
  EXPECT_EQ(l.domain, "portal.example");  // not overridden
}

TEST(LaunchSchema, ReportsMistakesWithPositions) {
  auto r = load_runbook_text(testing_support::kMinimalRunbook + R"(launch:
  url: portal.example
  aliasses: []
  access:
    sessions:
      alice: { login: https://p/login, user: alice, password: plaintext }
    rules:
      - { url: https://p/x, allow: [ bob ] }
)",
                             "golive.yml");
  EXPECT_TRUE(HasError(r, 11, 8, "launch.url", "must start with http:// or https://"));
  EXPECT_TRUE(HasErrorContaining(r, "unknown key `aliasses`"));
  EXPECT_TRUE(HasError(r, 15, 63, "launch.access.sessions.alice.password", "{{ env.NAME }}"));
  EXPECT_TRUE(HasError(r, 17, 38, "launch.access.rules[0].allow[0]", "no session named `bob`"));
  // The plaintext password is never echoed.
  for (const auto& d : r.errors) EXPECT_EQ(d.message.find("plaintext"), std::string::npos);
}

TEST(LaunchSchema, AccessCheckKindTakesTheLaunchMatrix) {
  auto r = load_runbook_text(testing_support::kMinimalRunbook + kLaunch +
                                 "checks:\n  - { name: matrix, access: launch }\n",
                             "golive.yml");
  ASSERT_TRUE(LoadsCleanly(r));
  const auto* a = std::get_if<AccessCheck>(&r.runbook->checks[0].spec);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->rules.size(), 1u);
  EXPECT_EQ(a->sessions.size(), 2u);
}

TEST(LaunchSchema, SecretInventoryKeys) {
  auto r = load_runbook_text(testing_support::kMinimalRunbook + R"(env:
  required:
    - { name: API_KEY, secret: true, owner: ops, scope: payments, rotated: 2026-01-31, stored_in: vault }
    - { name: OTHER, rotated: last week }
)",
                             "golive.yml");
  const auto& req = r.runbook ? r.runbook->env.required : std::vector<EnvRequirement>{};
  EXPECT_TRUE(HasError(r, 13, 31, "env.required[1].rotated", "YYYY-MM-DD"));
  if (!req.empty()) {
    EXPECT_EQ(req[0].owner, "ops");
    EXPECT_EQ(req[0].rotated, "2026-01-31");
    EXPECT_EQ(req[0].stored_in, "vault");
  }
}

}  // namespace
}  // namespace golive
