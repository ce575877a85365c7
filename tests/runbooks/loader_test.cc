#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "golive/runbook_loader.h"
#include "orchestrator/adapters/crypto/sha256.h"
#include "tests/harness/scoped_temp_dir.h"
#include "tests/runbooks/runbook_test_support.h"

namespace golive {
namespace {

using namespace std::chrono_literals;
using testing_support::HasError;
using testing_support::HasErrorContaining;
using testing_support::kMinimalRunbook;
using testing_support::LoadsCleanly;

LoadResult load(const std::string& yaml) {
  return load_runbook_text(yaml, "golive.yml");
}

using testing::ScopedTempDir;

const char* const kFullRunbook = R"(version: 1
app: client-portal
budget: { rollback: 5m, deploy: 20m }
environments:
  staging:
    hosts: [ { name: web1, address: staging.example.com, user: deploy, port: 2222 } ]
    env_file: .env.staging
    vars: { base_url: "https://staging.example.com" }
  production:
    hosts:
      - { name: web1, address: 10.0.1.11, user: deploy, identity_file: ~/.ssh/deploy }
      - { name: web2, address: 10.0.1.12, user: deploy }
    env_file: .env.production
    known_hosts: known_hosts.production
    strategy: { parallel: 4, batch: "50%", max_fail: 1 }
    vars: { base_url: "https://portal.example.com" }
env:
  required:
    - { name: DATABASE_URL, pattern: "^postgres://", secret: true }
    - { name: SMTP_PASSWORD, secret: true, distinct_from: staging }
    - { name: PORT, type: port, one_of: ["80", "8080"], min_length: 2 }
    - SMOKE_USER
    - SMOKE_PASSWORD
    - SMTP_URL
    - SLACK_WEBHOOK
  secrets: [ SMOKE_PASSWORD ]
release: { path: /srv/portal, keep: 7, shared: [ .env, storage/ ] }
build:
  - npm ci
  - { name: bundle, local: npm run build, timeout: 5m, env: { NODE_ENV: production } }
artifact: dist/
steps:
  - { name: upload, upload: artifact }
  - { name: install, run: "npm ci --omit=dev", timeout: 5m }
  - { name: migrate, run: "./bin/migrate up", once: true, undo: "./bin/migrate down" }
  - { name: switch, switch: current }
  - name: restart
    run: "sudo systemctl reload portal"
    env: { RELEASE: "{{ release.id }}" }
rollback:
  - { name: restart, run: "sudo systemctl reload portal" }
gate: { window: 3m, interval: 10s, consecutive: 3, timeout: 4s }
checks:
  - { name: home, http: { url: "{{ base_url }}/", status: [200, 204], max_latency: 800ms } }
  - { name: login, login: { url: "{{ base_url }}/login", user: "{{ env.SMOKE_USER }}",
      password: "{{ env.SMOKE_PASSWORD }}", then: "{{ base_url }}/dashboard" } }
  - { name: private pages not cached, private_cache: { url: "{{ base_url }}/dashboard", session: login } }
  - { name: email, email: { smtp: "{{ env.SMTP_URL }}", to: "canary@example.com" } }
  - { name: disk, command: { run: "df -h /", output: "\\d+%" } }
  - { name: cert, tls: { url: "https://portal.example.com", min_days: 20 } }
notify:
  - { webhook: "{{ env.SLACK_WEBHOOK }}", on: [rolled_back, rollback_failed, failed] }
  - { command: "echo deployed" }
)";

TEST(Loader, LoadsTheFullSketch) {
  const auto r = load(kFullRunbook);
  ASSERT_TRUE(LoadsCleanly(r));
  const Runbook& rb = *r.runbook;
  EXPECT_EQ(rb.version, 1);
  EXPECT_EQ(rb.app, "client-portal");
  EXPECT_EQ(rb.budget.rollback, 5min);
  EXPECT_EQ(rb.budget.deploy, 20min);
  ASSERT_EQ(rb.environments.size(), 2u);
  const Environment* prod = rb.find_environment("production");
  ASSERT_NE(prod, nullptr);
  ASSERT_EQ(prod->hosts.size(), 2u);
  EXPECT_EQ(prod->hosts[0].identity_file, "~/.ssh/deploy");
  EXPECT_EQ(prod->hosts[1].address, "10.0.1.12");
  EXPECT_EQ(prod->strategy.parallel, 4);
  EXPECT_EQ(prod->strategy.batch_size, 0);
  EXPECT_EQ(prod->strategy.batch_percent, 50);
  EXPECT_EQ(prod->strategy.max_fail, 1);
  EXPECT_EQ(prod->known_hosts, "known_hosts.production");
  EXPECT_EQ(prod->vars.at("base_url"), "https://portal.example.com");
  EXPECT_EQ(prod->pos.line, 9);
  EXPECT_EQ(rb.find_environment("staging")->hosts[0].port, 2222);
  ASSERT_EQ(rb.env.required.size(), 7u);
  EXPECT_EQ(rb.env.required[0].pattern, "^postgres://");
  EXPECT_TRUE(rb.env.required[1].secret);
  EXPECT_EQ(rb.env.required[1].distinct_from, "staging");
  EXPECT_EQ(rb.env.required[2].type, "port");
  EXPECT_EQ(rb.env.required[2].one_of, (std::vector<std::string>{"80", "8080"}));
  EXPECT_EQ(rb.env.required[3].name, "SMOKE_USER");
  EXPECT_EQ(rb.env.secret_names, std::vector<std::string>{"SMOKE_PASSWORD"});
  EXPECT_EQ(rb.release.keep, 7);
  EXPECT_EQ(rb.release.shared, (std::vector<std::string>{".env", "storage/"}));
  ASSERT_EQ(rb.build.size(), 2u);
  EXPECT_EQ(rb.build[0].name, "build-1");
  EXPECT_EQ(rb.build[0].command, "npm ci");
  EXPECT_EQ(rb.build[0].kind, StepKind::kLocal);
  EXPECT_EQ(rb.build[0].timeout, 30min);
  EXPECT_EQ(rb.build[1].name, "bundle");
  EXPECT_EQ(rb.build[1].timeout, 5min);
  EXPECT_EQ(rb.build[1].env.at("NODE_ENV"), "production");
  EXPECT_EQ(rb.artifact, "dist/");
  ASSERT_EQ(rb.steps.size(), 5u);
  EXPECT_EQ(rb.steps[0].kind, StepKind::kUpload);
  EXPECT_EQ(rb.steps[0].command, "artifact");
  EXPECT_EQ(rb.steps[0].timeout, 10min);
  EXPECT_EQ(rb.steps[1].timeout, 5min);
  EXPECT_TRUE(rb.steps[2].once);
  EXPECT_EQ(rb.steps[2].undo, "./bin/migrate down");
  EXPECT_EQ(rb.steps[3].kind, StepKind::kSwitch);
  EXPECT_EQ(rb.steps[3].timeout, 1min);
  EXPECT_EQ(rb.steps[4].env.at("RELEASE"), "{{ release.id }}");
  EXPECT_EQ(rb.steps[4].pos.line, 37);
  ASSERT_EQ(rb.rollback.size(), 1u);
  EXPECT_EQ(rb.rollback[0].timeout, 10min);
  EXPECT_EQ(rb.gate.window, 3min);
  EXPECT_EQ(rb.gate.interval, 10s);
  EXPECT_EQ(rb.gate.consecutive, 3);
  EXPECT_EQ(rb.gate.timeout, 4s);
  ASSERT_EQ(rb.checks.size(), 6u);
  const auto& home = std::get<HttpCheck>(rb.checks[0].spec);
  EXPECT_EQ(home.status, (std::vector<int>{200, 204}));
  EXPECT_EQ(home.max_latency, Millis(800));
  EXPECT_EQ(std::get<LoginCheck>(rb.checks[1].spec).password, "{{ env.SMOKE_PASSWORD }}");
  EXPECT_EQ(std::get<PrivateCacheCheck>(rb.checks[2].spec).session, "login");
  EXPECT_EQ(std::get<EmailCheck>(rb.checks[3].spec).to, "canary@example.com");
  EXPECT_TRUE(std::get<EmailCheck>(rb.checks[3].spec).starttls);
  EXPECT_EQ(std::get<CommandCheck>(rb.checks[4].spec).output_regex, "\\d+%");
  EXPECT_EQ(std::get<TlsCheck>(rb.checks[5].spec).min_days, 20);
  ASSERT_EQ(rb.notify.size(), 2u);
  EXPECT_EQ(rb.notify[0].on.size(), 3u);
  EXPECT_EQ(rb.notify[1].on,
            (std::vector<std::string>{"failed", "rolled_back", "rollback_failed", "lock_broken"}));
  EXPECT_EQ(rb.content_hash.size(), 64u);
  EXPECT_EQ(rb.file, "golive.yml");
}

TEST(Loader, AppliesDefaults) {
  const auto r = load(kMinimalRunbook);
  ASSERT_TRUE(LoadsCleanly(r));
  const Runbook& rb = *r.runbook;
  const Strategy& s = rb.environments[0].strategy;
  EXPECT_EQ(s.parallel, 10);
  EXPECT_EQ(s.batch_size, 0);
  EXPECT_EQ(s.batch_percent, 100);
  EXPECT_EQ(s.max_fail, 0);
  EXPECT_EQ(rb.release.keep, 5);
  EXPECT_EQ(rb.gate.window, 2min);
  EXPECT_EQ(rb.gate.interval, 5s);
  EXPECT_EQ(rb.gate.consecutive, 2);
  EXPECT_EQ(rb.gate.timeout, 10s);
  EXPECT_EQ(rb.budget.rollback, 10min);
  EXPECT_EQ(rb.budget.deploy, 30min);
  EXPECT_EQ(rb.steps[0].timeout, 1min);
  EXPECT_EQ(rb.dir, ".");
}

TEST(Loader, StepTimeoutDefaultsPerKind) {
  const auto r = load(kMinimalRunbook + R"(  - { name: a, run: "true" }
  - { name: b, local: "true" }
artifact: dist
build: [ make ]
rollback:
  - { name: r, run: "true" }
  - { name: l, local: "true" }
)" + "");
  // steps continue after the switch item above; upload added separately.
  ASSERT_TRUE(LoadsCleanly(r));
  EXPECT_EQ(r.runbook->steps[1].timeout, 10min);
  EXPECT_EQ(r.runbook->steps[2].timeout, 30min);
  EXPECT_EQ(r.runbook->build[0].name, "build");
  EXPECT_EQ(r.runbook->build[0].timeout, 30min);
  EXPECT_EQ(r.runbook->rollback[0].timeout, 10min);
  EXPECT_EQ(r.runbook->rollback[1].timeout, 30min);
}

TEST(Loader, ContentHashIsSha256OfTheFileBytes) {
  ScopedTempDir dir;
  const auto path = dir.write("golive.yml", kMinimalRunbook);
  const auto r = load_runbook_file(path);
  ASSERT_TRUE(LoadsCleanly(r));
  EXPECT_EQ(r.runbook->content_hash, sha256_hex(kMinimalRunbook));
  const auto other = load(kMinimalRunbook + "# comment\n");
  ASSERT_TRUE(other.runbook);
  EXPECT_NE(r.runbook->content_hash, other.runbook->content_hash);
}

// --- errors: positions, paths, messages ---

TEST(LoaderErrors, FormatIsFileLineColPathMessage) {
  EXPECT_EQ(format_diagnostic({"golive.yml", 3, 5, "steps[0].timeout", "bad"}),
            "golive.yml:3:5: steps[0].timeout: bad");
  EXPECT_EQ(format_diagnostic({"golive.yml", 0, 0, "", "too big"}), "golive.yml: too big");
}

TEST(LoaderErrors, UnknownTopLevelKeyWithSuggestion) {
  const auto r = load(kMinimalRunbook + "chekcs: []\n");
  EXPECT_TRUE(HasError(r, 10, 1, "chekcs", "unknown key `chekcs` (did you mean `checks`?)"));
  EXPECT_FALSE(r.runbook);
}

TEST(LoaderErrors, UnknownStepKeySuggestsTimeout) {
  const auto r = load(R"(version: 1
app: portal
environments:
  staging:
    hosts: [ { name: web1, address: 127.0.0.11 } ]
release: { path: /srv/portal }
steps:
  - { name: build, run: make }
  - { name: a, run: "true" }
  - { name: b, run: "true" }
  - { name: switch, switch: current, timout: 5m }
)");
  EXPECT_TRUE(HasError(r, 11, 38, "steps[3].timout", "did you mean `timeout`?"));
}

TEST(LoaderErrors, UnknownKeyFarFromAnythingHasNoSuggestion) {
  const auto r = load(kMinimalRunbook + "zzzzzz: 1\n");
  ASSERT_TRUE(HasError(r, 10, 1, "zzzzzz", "unknown key `zzzzzz`"));
  EXPECT_EQ(r.errors[0].message.find("did you mean"), std::string::npos);
}

TEST(LoaderErrors, HostAddressPathInEnvironment) {
  const auto r = load(R"(version: 1
app: portal
environments:
  production:
    hosts:
      - { name: web1, address: 10.0.0.1 }
      - { name: web2, address: [10.0.0.2] }
release: { path: /srv/portal }
steps:
  - { name: switch, switch: current }
)");
  EXPECT_TRUE(HasError(r, 7, 32, "environments.production.hosts[1].address",
                       "expected a string, got a list"));
}

TEST(LoaderErrors, ReportsAllErrorsSortedByPosition) {
  const auto r = load(R"(version: 1
app: portal
environments:
  staging:
    hosts: [ { name: web1, address: 127.0.0.11, port: 70000 } ]
release: { path: /srv/portal, keep: zero }
steps:
  - { name: switch, switch: current, timeout: 10 minutes }
gate: { window: 1.5h }
)");
  ASSERT_EQ(r.errors.size(), 4u) << testing_support::all_errors(r);
  EXPECT_TRUE(HasError(r, 5, 55, "environments.staging.hosts[0].port", "between 1 and 65535"));
  EXPECT_TRUE(HasError(r, 6, 37, "release.keep", "expected an integer, got `zero`"));
  EXPECT_TRUE(HasError(r, 8, 47, "steps[0].timeout", "invalid duration `10 minutes`"));
  EXPECT_TRUE(HasError(r, 9, 17, "gate.window", "invalid duration `1.5h`"));
  for (std::size_t i = 1; i < r.errors.size(); ++i) {
    EXPECT_LT(r.errors[i - 1].line, r.errors[i].line);
  }
}

TEST(LoaderErrors, WrongTypesNameExpectedAndActual) {
  const auto r = load(R"(version: 1
app: portal
environments: [staging]
release: /srv/portal
steps: { name: switch }
)");
  EXPECT_TRUE(HasError(r, 3, 15, "environments", "expected a mapping, got a list"));
  EXPECT_TRUE(HasError(r, 4, 10, "release", "expected a mapping, got a string"));
  EXPECT_TRUE(HasError(r, 5, 8, "steps", "expected a list, got a mapping"));
}

TEST(LoaderErrors, EmptyValueIsReportedAtItsKey) {
  const auto r = load(kMinimalRunbook + "artifact:\n");
  EXPECT_TRUE(HasError(r, 10, 1, "artifact", "expected a string, got an empty value"));
}

TEST(LoaderErrors, MissingRequiredKeys) {
  const auto r = load("app: portal\n");
  EXPECT_TRUE(HasError(r, 1, 1, "version", "missing required key `version` (add `version: 1`"));
  EXPECT_TRUE(HasError(r, 1, 1, "environments", "missing required key `environments`"));
  EXPECT_TRUE(HasError(r, 1, 1, "release", "missing required key `release`"));
  EXPECT_TRUE(HasError(r, 1, 1, "steps", "missing required key `steps`"));
  const auto r2 = load("version: 1\nenvironments: {}\nrelease: { keep: 3 }\nsteps: []\n");
  EXPECT_TRUE(HasError(r2, 1, 1, "app", "missing required key `app`"));
  EXPECT_TRUE(HasError(r2, 2, 15, "environments", "no environments defined"));
  EXPECT_TRUE(HasError(r2, 3, 10, "release.path", "missing required key `path`"));
}

TEST(LoaderErrors, NewerSchemaVersionIsOneClearError) {
  const auto r = load("version: 2\napp: portal\nfuture_key: true\n");
  ASSERT_EQ(r.errors.size(), 1u) << testing_support::all_errors(r);
  EXPECT_TRUE(HasError(r, 1, 10, "version",
                       "runbook schema version 2 is newer than this golive supports (1); upgrade "
                       "golive"));
}

TEST(LoaderErrors, BadVersion) {
  EXPECT_TRUE(HasError(load("version: one\n"), 1, 10, "version", "schema version number"));
  EXPECT_TRUE(HasError(load("version: 0\n"), 1, 10, "version", "schema version number"));
}

TEST(LoaderErrors, DuplicateNames) {
  const auto r = load(R"(version: 1
app: portal
environments:
  staging:
    hosts:
      - { name: web1, address: 127.0.0.11 }
      - { name: web1, address: 127.0.0.12 }
  staging:
    hosts: [ { name: web1, address: 127.0.0.13 } ]
release: { path: /srv/portal }
steps:
  - { name: switch, switch: current }
  - { name: switch, run: "true" }
checks:
  - { name: home, http: { url: "http://x/" } }
  - { name: home, http: { url: "http://y/" } }
)");
  EXPECT_TRUE(HasError(r, 7, 17, "environments.staging.hosts[1].name",
                       "duplicate host name `web1` (first at line 6:17)"));
  EXPECT_TRUE(HasError(r, 8, 3, "environments.staging", "duplicate environment `staging`"));
  EXPECT_TRUE(HasError(r, 13, 13, "steps[1].name", "duplicate step name `switch`"));
  EXPECT_TRUE(HasError(r, 16, 13, "checks[1].name", "duplicate check name `home`"));
}

TEST(LoaderErrors, DuplicateKeyInAMapping) {
  const auto r = load(kMinimalRunbook + "app: again\n");
  EXPECT_TRUE(HasError(r, 10, 1, "app", "duplicate key `app` (first at line 2:1)"));
}

TEST(LoaderErrors, SwitchStepRules) {
  const auto none = load(R"(version: 1
app: portal
environments:
  staging:
    hosts: [ { name: web1, address: 127.0.0.11 } ]
release: { path: /srv/portal }
steps:
  - { name: restart, run: "true" }
)");
  EXPECT_TRUE(HasError(none, 8, 3, "steps", "no `switch` step"));
  const auto two = load(kMinimalRunbook + "  - { name: again, switch: current }\n");
  EXPECT_TRUE(HasError(two, 10, 20, "steps[1].switch",
                       "more than one `switch` step (the first is `switch` at line 9:21)"));
  const auto bad = load(kMinimalRunbook + "  - { name: s2, switch: previous }\n");
  EXPECT_TRUE(HasError(bad, 10, 25, "steps[1].switch", "`switch:` takes `current`"));
}

TEST(LoaderErrors, StepKindCount) {
  const auto r = load(kMinimalRunbook + R"(  - { name: nothing, timeout: 1m }
  - { name: both, run: "true", local: "true" }
)");
  EXPECT_TRUE(HasError(r, 10, 5, "steps[1]", "needs exactly one of `run`, `upload`, `switch`"));
  EXPECT_TRUE(HasError(r, 11, 32, "steps[2].local", "has both `run` and `local`"));
}

TEST(LoaderErrors, OnceAndUndoRestrictions) {
  const auto r = load(kMinimalRunbook + R"(  - { name: up, upload: artifact, undo: "rm -rf x" }
  - { name: loc, local: "true", once: true }
artifact: dist
)");
  EXPECT_TRUE(HasError(r, 10, 35, "steps[1].undo", "`undo` is not allowed on upload steps"));
  EXPECT_TRUE(HasError(r, 11, 33, "steps[2].once", "`once` only applies to `run` steps"));
  const auto sw = load(R"(version: 1
app: portal
environments:
  staging:
    hosts: [ { name: web1, address: 127.0.0.11 } ]
release: { path: /srv/portal }
steps:
  - { name: switch, switch: current, undo: "x", once: false }
)");
  EXPECT_TRUE(HasError(sw, 8, 38, "steps[0].undo", "not allowed on switch steps"));
  EXPECT_TRUE(HasError(sw, 8, 49, "steps[0].once", "only applies to `run` steps"));
}

TEST(LoaderErrors, UploadNeedsArtifactAndKnownSource) {
  const auto r = load(kMinimalRunbook +
                      "  - { name: up, upload: artifact }\n"
                      "  - { name: up2, upload: ./dist }\n");
  EXPECT_TRUE(HasError(r, 10, 25, "steps[1].upload", "needs a top-level `artifact:`"));
  EXPECT_TRUE(HasError(r, 11, 26, "steps[2].upload", "the only source in v1 is `artifact`"));
}

TEST(LoaderErrors, RollbackStepsAreRunOrLocal) {
  const auto r = load(kMinimalRunbook + R"(rollback:
  - { name: sw, switch: current }
  - { name: r, run: "true", undo: "x" }
  - { name: r, local: "true" }
)");
  EXPECT_TRUE(HasError(r, 11, 17, "rollback[0].switch", "rollback steps are `run` or `local`"));
  EXPECT_TRUE(HasError(r, 12, 29, "rollback[1].undo", "not allowed in rollback steps"));
  EXPECT_TRUE(HasError(r, 13, 13, "rollback[2].name", "duplicate rollback step name `r`"));
}

TEST(LoaderErrors, EnvironmentWithoutHosts) {
  const auto r = load(R"(version: 1
app: portal
environments:
  staging: { env_file: .env.staging }
  production:
    hosts: []
release: { path: /srv/portal }
steps:
  - { name: switch, switch: current }
)");
  EXPECT_TRUE(
      HasError(r, 4, 3, "environments.staging.hosts", "environment `staging` has no hosts"));
  EXPECT_TRUE(
      HasError(r, 6, 12, "environments.production.hosts", "environment `production` has no hosts"));
}

TEST(LoaderErrors, HostRequiresNameAndAddress) {
  const auto r = load(R"(version: 1
app: portal
environments:
  staging:
    hosts:
      - { user: deploy }
release: { path: /srv/portal }
steps:
  - { name: switch, switch: current }
)");
  EXPECT_TRUE(
      HasError(r, 6, 9, "environments.staging.hosts[0].name", "missing required key `name`"));
  EXPECT_TRUE(
      HasError(r, 6, 9, "environments.staging.hosts[0].address", "missing required key `address`"));
}

TEST(LoaderErrors, UnsafeNames) {
  const auto r = load(R"(version: 1
app: portal
environments:
  "../prod":
    hosts: [ { name: "../web1", address: "a b" } ]
release: { path: /srv/portal }
steps:
  - { name: switch, switch: current }
)");
  EXPECT_TRUE(HasErrorContaining(r, "environment name `../prod` must be"));
  EXPECT_TRUE(HasErrorContaining(r, "host name `../web1` must be"));
  EXPECT_TRUE(HasErrorContaining(r, "address `a b` must be a host name or IP address"));
}

TEST(LoaderErrors, Strategy) {
  const auto r = load(R"(version: 1
app: portal
environments:
  a:
    hosts: [ { name: w, address: h } ]
    strategy: { batch: 0, parallel: 0, max_fail: -1 }
  b:
    hosts: [ { name: w, address: h } ]
    strategy: { batch: "150%" }
  c:
    hosts: [ { name: w, address: h } ]
    strategy: { batch: half }
  d:
    hosts: [ { name: w, address: h } ]
    strategy: { batch: 2, parallel: 3 }
release: { path: /srv/portal }
steps:
  - { name: switch, switch: current }
)");
  EXPECT_TRUE(HasError(r, 6, 24, "environments.a.strategy.batch", "between 1 and 10000, got 0"));
  EXPECT_TRUE(HasError(r, 6, 37, "environments.a.strategy.parallel", "between 1 and"));
  EXPECT_TRUE(HasError(r, 6, 50, "environments.a.strategy.max_fail", "between 0 and"));
  EXPECT_TRUE(HasError(r, 9, 24, "environments.b.strategy.batch", "between 1% and 100%"));
  EXPECT_TRUE(HasError(r, 12, 24, "environments.c.strategy.batch", "host count"));
  EXPECT_EQ(r.errors.size(), 5u) << testing_support::all_errors(r);
}

TEST(LoaderErrors, StrategyBatchCount) {
  auto text = kMinimalRunbook;
  text.insert(text.find("release:"), "    strategy: { batch: 2 }\n");
  const auto r = load(text);
  ASSERT_TRUE(LoadsCleanly(r));
  EXPECT_EQ(r.runbook->environments[0].strategy.batch_size, 2);
}

TEST(LoaderErrors, BooleansAreStrict) {
  const auto r = load(kMinimalRunbook + "  - { name: m, run: x, once: yes }\n");
  EXPECT_TRUE(HasError(r, 10, 30, "steps[1].once", "expected true or false, got `yes`"));
}

TEST(LoaderErrors, Regexes) {
  const auto r = load(kMinimalRunbook + R"(env:
  required:
    - { name: A, pattern: "([a-z]" }
checks:
  - { name: c, command: { run: "true", output: "a{2,1}" } }
  - { name: h, http: { url: "http://x/", body_regex: "(?P<x", header_match: { X-A: "[" } } }
)");
  EXPECT_TRUE(
      HasError(r, 12, 27, "env.required[0].pattern", "invalid regular expression: missing )"));
  EXPECT_TRUE(HasError(r, 14, 48, "checks[0].command.output", "invalid regular expression"));
  EXPECT_TRUE(HasError(r, 15, 54, "checks[1].http.body_regex", "invalid regular expression"));
  EXPECT_TRUE(HasError(r, 15, 84, "checks[1].http.header_match.X-A", "invalid regular expression"));
}

TEST(LoaderErrors, EnvRequirements) {
  const auto r = load(kMinimalRunbook + R"(env:
  required:
    - { name: A, type: uri }
    - { name: B, distinct_from: stagign }
    - { name: 9X }
    - A
    - { type: url }
)");
  EXPECT_TRUE(
      HasError(r, 12, 24, "env.required[0].type", "unknown type `uri` (did you mean `url`?)"));
  EXPECT_TRUE(HasError(r, 13, 33, "env.required[1].distinct_from",
                       "no environment named `stagign` (did you mean `staging`?)"));
  EXPECT_TRUE(HasError(r, 14, 15, "env.required[2].name", "not a valid environment variable name"));
  EXPECT_TRUE(HasError(r, 15, 7, "env.required[3]", "duplicate requirement for `A`"));
  EXPECT_TRUE(HasError(r, 16, 7, "env.required[4].name", "missing required key `name`"));
}

TEST(LoaderErrors, UnknownCheckKind) {
  const auto r = load(kMinimalRunbook + R"(checks:
  - { name: home, htp: { url: "http://x/" } }
  - { name: nothing }
  - { name: two, http: { url: "http://x/" }, tls: { url: "https://x/" } }
)");
  EXPECT_TRUE(
      HasError(r, 11, 19, "checks[0].htp", "unknown check kind `htp` (did you mean `http`?)"));
  EXPECT_TRUE(HasError(r, 12, 5, "checks[1]", "check needs one of `http`, `login`"));
  EXPECT_TRUE(HasError(r, 13, 46, "checks[2].tls", "check has both `http` and `tls`"));
}

TEST(LoaderErrors, CheckFields) {
  const auto r = load(kMinimalRunbook + R"(checks:
  - { name: a, http: { url: "ftp://x/", status: 700, method: FETCH, max_latency: soon } }
  - { name: b, http: { url: "http://x/", status: [200, "ok"], body: x, json: "{}" } }
  - { name: c, login: { url: "http://x/login" } }
  - { name: d, tls: { url: "http://x/" } }
  - { name: e, email: { to: a@b } }
  - { name: f, email: { smtp: "smtp://x", trigger_url: "http://x/send" } }
)");
  EXPECT_TRUE(HasError(r, 11, 29, "checks[0].http.url", "must start with http:// or https://"));
  EXPECT_TRUE(HasError(r, 11, 49, "checks[0].http.status", "between 100 and 599"));
  EXPECT_TRUE(HasError(r, 11, 62, "checks[0].http.method", "unknown HTTP method `FETCH`"));
  EXPECT_TRUE(HasError(r, 11, 82, "checks[0].http.max_latency", "invalid duration `soon`"));
  EXPECT_TRUE(HasError(r, 12, 56, "checks[1].http.status[1]", "expected an integer, got `ok`"));
  EXPECT_TRUE(HasError(r, 12, 72, "checks[1].http.json", "only one of `body`, `form`, `json`"));
  EXPECT_TRUE(HasError(r, 13, 23, "checks[2].login.user", "missing required key `user`"));
  EXPECT_TRUE(HasError(r, 13, 23, "checks[2].login.password", "missing required key `password`"));
  EXPECT_TRUE(HasError(r, 14, 28, "checks[3].tls.url", "must start with https://"));
  EXPECT_TRUE(HasError(r, 15, 23, "checks[4].email", "needs `smtp`"));
  EXPECT_TRUE(HasError(r, 16, 43, "checks[5].email.trigger_url", "either `smtp` or `trigger_url`"));
}

TEST(LoaderErrors, SessionMustNameALoginCheck) {
  const auto r = load(kMinimalRunbook + R"(checks:
  - { name: home, http: { url: "http://x/" } }
  - { name: logon, login: { url: "http://x/login", user: u, password: p } }
  - { name: p1, private_cache: { url: "http://x/d", session: login } }
  - { name: p2, private_cache: { url: "http://x/d", session: home } }
  - { name: p3, private_cache: { url: "http://x/d" } }
)");
  EXPECT_TRUE(HasError(r, 13, 62, "checks[2].private_cache.session",
                       "no login check named `login` (did you mean `logon`?)"));
  EXPECT_TRUE(HasError(r, 14, 62, "checks[3].private_cache.session",
                       "check `home` is not a `login` check"));
  EXPECT_TRUE(
      HasError(r, 15, 32, "checks[4].private_cache.session", "missing required key `session`"));
}

TEST(LoaderErrors, GateWindowTooShort) {
  const auto r = load(kMinimalRunbook + "gate: { window: 5s, interval: 5s, consecutive: 2 }\n");
  EXPECT_TRUE(HasError(r, 10, 17, "gate.window", "too short for 2 consecutive passes 5s apart"));
  EXPECT_TRUE(HasError(load(kMinimalRunbook + "gate: { consecutive: 0 }\n"), 10, 22,
                       "gate.consecutive", "between 1 and"));
}

TEST(LoaderErrors, NotifyEvents) {
  const auto r = load(kMinimalRunbook + R"(notify:
  - { webhook: "https://hooks.example/x", on: [rollbak, failed, succeded] }
  - { on: [failed] }
)");
  EXPECT_TRUE(
      HasError(r, 11, 48, "notify[0].on[0]", "unknown event `rollbak` (did you mean `rollback`?)"));
  EXPECT_TRUE(HasError(r, 11, 65, "notify[0].on[2]", "did you mean `succeeded`?"));
  EXPECT_TRUE(HasError(r, 12, 5, "notify[1]", "needs a `webhook` or a `command`"));
}

TEST(Loader, RollbackIsAnAliasOfRolledBack) {
  const auto r = load(kMinimalRunbook + R"(notify:
  - { webhook: "https://hooks.example/x", on: [rollback] }
)");
  ASSERT_TRUE(r.runbook) << (r.errors.empty() ? "" : r.errors[0].message);
  EXPECT_EQ(r.runbook->notify[0].on, std::vector<std::string>{"rolled_back"});
}

TEST(LoaderErrors, PathsMustBeRelativeWhereFilesAreCopied) {
  const auto r = load(R"(version: 1
app: portal
environments:
  staging:
    hosts: [ { name: web1, address: 127.0.0.11 } ]
release: { path: srv/portal, shared: [ ../etc ] }
artifact: /dist
steps:
  - { name: switch, switch: current }
)");
  EXPECT_TRUE(HasError(r, 6, 18, "release.path", "must be an absolute path"));
  EXPECT_TRUE(HasError(r, 6, 40, "release.shared[0]", "relative path without `..`"));
  EXPECT_TRUE(HasError(r, 7, 11, "artifact", "relative path without `..`"));
}

// --- templates ---

TEST(LoaderTemplates, VarMustExistInEveryEnvironment) {
  const auto r = load(R"(version: 1
app: portal
environments:
  staging:
    hosts: [ { name: web1, address: 127.0.0.11 } ]
    vars: { base_url: "http://s" }
  production:
    hosts: [ { name: web1, address: 127.0.0.21 } ]
release: { path: /srv/portal }
steps:
  - { name: switch, switch: current }
checks:
  - { name: home, http: { url: "{{ base_url }}/" } }
)");
  ASSERT_EQ(r.errors.size(), 1u) << testing_support::all_errors(r);
  EXPECT_TRUE(HasError(r, 13, 32, "checks[0].http.url",
                       "variable `base_url` is not defined in environment `production`"));
}

TEST(LoaderTemplates, ScopesOfHostAndRelease) {
  const auto r =
      load(kMinimalRunbook +
           R"(  - { name: ok, run: "echo {{ host.name }} {{ release.dir }} {{ release.previous }}" }
build:
  - "make HOST={{ host.name }}"
checks:
  - { name: c, http: { url: "http://{{ host.address }}/{{ release.id }}" } }
notify:
  - { command: "echo {{ host.name }}" }
)");
  EXPECT_TRUE(HasError(r, 12, 5, "build[0]", "host.* is only allowed in steps, rollback, checks"));
  EXPECT_TRUE(
      HasError(r, 14, 29, "checks[0].http.url", "release.* is only allowed in steps and rollback"));
  EXPECT_TRUE(HasError(r, 16, 16, "notify[0].command", "host.* is only allowed"));
  EXPECT_EQ(r.errors.size(), 3u) << testing_support::all_errors(r);
}

TEST(LoaderTemplates, ReleasePathMayUseHostButNotEnvOrRelease) {
  auto ok = kMinimalRunbook;
  ok.replace(ok.find("/srv/portal"), 11, "\"/tmp/sandbox/{{ host.name }}/portal\"");
  EXPECT_TRUE(LoadsCleanly(load(ok)));
  auto bad = kMinimalRunbook;
  bad.replace(bad.find("/srv/portal"), 11, "\"/srv/{{ env.X }}/{{ release.id }}\"");
  const auto r = load(bad);
  EXPECT_TRUE(HasError(r, 7, 18, "release.path", "env values are not available here"));
  EXPECT_TRUE(HasError(r, 7, 18, "release.path", "release.* is only allowed"));
}

TEST(LoaderTemplates, UnknownFieldsAndNamespaces) {
  const auto r = load(kMinimalRunbook +
                      R"(  - { name: a, run: "{{ host.adress }} {{ release.idd }} {{ hots.name }}" }
  - { name: b, run: "echo {{ unterminated" }
  - { name: c, run: "echo {{ x y }} {{ host.adress }}" }
)");
  EXPECT_TRUE(
      HasError(r, 10, 21, "steps[1].run", "unknown host field `adress` (did you mean `address`?)"));
  EXPECT_TRUE(
      HasError(r, 10, 21, "steps[1].run", "unknown release field `idd` (did you mean `id`?)"));
  EXPECT_TRUE(
      HasError(r, 10, 21, "steps[1].run", "unknown namespace `hots` (did you mean `host`?)"));
  EXPECT_TRUE(HasError(r, 11, 21, "steps[2].run", "unterminated `{{`"));
  // A malformed reference makes the whole template unreadable: one error for it, not more.
  EXPECT_TRUE(HasError(r, 12, 21, "steps[3].run", "malformed reference `{{ x y }}`"));
  EXPECT_EQ(r.errors.size(), 5u) << testing_support::all_errors(r);
}

TEST(LoaderTemplates, EnvMustBeDeclared) {
  const auto r = load(kMinimalRunbook + R"(  - { name: a, run: "echo {{ env.API_KEY }}" }
env:
  required: [ DATABASE_URL ]
)");
  EXPECT_TRUE(HasError(r, 10, 21, "steps[1].run",
                       "`API_KEY` is not declared in env.required or the env.example file"));
  const auto ok = load(kMinimalRunbook + R"(  - { name: a, run: "echo {{ env.DATABASE_URL }}" }
env:
  required: [ DATABASE_URL ]
)");
  EXPECT_TRUE(LoadsCleanly(ok));
}

TEST(LoaderTemplates, EnvExampleKeysCountAsDeclared) {
  ScopedTempDir dir;
  dir.write(".env.example", "# comment\nAPI_KEY=\nexport SMTP_URL=smtp://x\n\nEMPTY\n");
  const auto path = dir.write(
      "golive.yml",
      kMinimalRunbook +
          R"(  - { name: a, run: "x {{ env.API_KEY }} {{ env.SMTP_URL }} {{ env.EMPTY }}" }
  - { name: b, run: "x {{ env.NOPE }}" }
env:
  example: .env.example
)");
  const auto r = load_runbook_file(path);
  ASSERT_EQ(r.errors.size(), 1u) << testing_support::all_errors(r);
  EXPECT_TRUE(HasError(r, 11, 21, "steps[2].run", "`NOPE` is not declared"));
}

TEST(LoaderTemplates, MissingEnvExampleFileIsOneError) {
  ScopedTempDir dir;
  const auto path =
      dir.write("golive.yml", kMinimalRunbook + R"(  - { name: a, run: "x {{ env.API_KEY }}" }
env:
  example: .env.missing
)");
  const auto r = load_runbook_file(path);
  ASSERT_EQ(r.errors.size(), 1u) << testing_support::all_errors(r);
  EXPECT_TRUE(HasError(r, 12, 12, "env.example", "cannot read env example file"));
  EXPECT_NE(r.errors[0].message.find(".env.missing"), std::string::npos);
}

TEST(LoaderTemplates, VarsAreNotTemplates) {
  auto text = kMinimalRunbook;
  text.insert(text.find("release:"), "    vars: { a: \"{{ b }}\", env: x, 2bad: y }\n");
  const auto r = load(text);
  EXPECT_TRUE(HasError(r, 7, 16, "environments.staging.vars.a", "vars are plain values"));
  EXPECT_TRUE(HasError(r, 7, 27, "environments.staging.vars.env", "reserved"));
  EXPECT_TRUE(HasError(r, 7, 35, "environments.staging.vars.2bad", "must be letters, digits"));
}

TEST(LoaderTemplates, StepEnvValuesAreTemplates) {
  const auto r = load(kMinimalRunbook + R"(  - name: a
    run: "true"
    env: { RELEASE: "{{ release.id }}", BAD: "{{ nope }}", "not-valid": x }
)");
  EXPECT_TRUE(HasError(r, 12, 46, "steps[1].env.BAD", "variable `nope` is not defined"));
  EXPECT_TRUE(
      HasError(r, 12, 60, "steps[1].env.not-valid", "not a valid environment variable name"));
  EXPECT_EQ(r.errors.size(), 2u) << testing_support::all_errors(r);
}

// --- files ---

TEST(LoaderFiles, MissingFileAndDirectory) {
  const auto r = load_runbook_file("/nonexistent/golive.yml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].file, "/nonexistent/golive.yml");
  EXPECT_NE(r.errors[0].message.find("no such file"), std::string::npos);
  ScopedTempDir dir;
  const auto d =
      load_runbook_file(std::filesystem::path(dir.write("x", "")).parent_path().string());
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_NE(d.errors[0].message.find("directory"), std::string::npos);
}

TEST(LoaderFiles, DirIsTheRunbooksDirectory) {
  ScopedTempDir dir;
  const auto path = dir.write("golive.yml", kMinimalRunbook);
  const auto r = load_runbook_file(path);
  ASSERT_TRUE(LoadsCleanly(r));
  EXPECT_EQ(r.runbook->file, path);
  EXPECT_EQ(r.runbook->dir, std::filesystem::path(path).parent_path().string());
}

TEST(Loader, LedgerKeyTakesAUrlOrAPath) {
  const auto url = load(kMinimalRunbook + "ledger: postgresql://golive@db.internal/golive\n");
  ASSERT_TRUE(url.runbook) << testing_support::all_errors(url);
  EXPECT_EQ(url.runbook->ledger, "postgresql://golive@db.internal/golive");
  const auto path = load(kMinimalRunbook + "ledger: audit/ledger.db\n");
  ASSERT_TRUE(path.runbook) << testing_support::all_errors(path);
  EXPECT_EQ(path.runbook->ledger, "audit/ledger.db");
}

TEST(LoaderErrors, LedgerUrlWithAPasswordIsRefused) {
  const auto r = load(kMinimalRunbook + "ledger: postgresql://golive:hunter2@db/golive\n");
  EXPECT_FALSE(r.runbook);
  EXPECT_NE(testing_support::all_errors(r).find("PGPASSWORD"), std::string::npos)
      << testing_support::all_errors(r);
}

// Issue 13: canary, per-batch gating, fail_after, prometheus checks, confirmation.
TEST(Loader, ProgressiveRolloutKeys) {
  auto text = kMinimalRunbook;
  text.insert(text.find("release:"),
              "    strategy: { canary: \"25%\", canary_gate: { window: 5m }, batch: 2,"
              " gate_each_batch: true }\n    confirm: true\n");
  text +=
      "gate: { window: 1m, interval: 1s, fail_after: 4 }\n"
      "checks:\n"
      "  - name: errors\n"
      "    prometheus:\n"
      "      url: http://127.0.0.1:9090\n"
      "      query: 'sum(rate(errors_total{instance=\"{{ host.address }}\"}[1m]))'\n"
      "      success: \"result <= 0.5\"\n"
      "      max: 1\n"
      "      for: 30s\n";
  const auto r = load(text);
  ASSERT_TRUE(LoadsCleanly(r));
  const Environment& env = r.runbook->environments[0];
  EXPECT_EQ(env.strategy.canary, 0);
  EXPECT_EQ(env.strategy.canary_percent, 25);
  ASSERT_TRUE(env.strategy.canary_window.has_value());
  EXPECT_EQ(*env.strategy.canary_window, std::chrono::minutes(5));
  EXPECT_TRUE(env.strategy.gate_each_batch);
  EXPECT_TRUE(env.confirm);
  EXPECT_EQ(r.runbook->gate.fail_after, 4);
  const auto& p = std::get<PrometheusCheck>(r.runbook->checks[0].spec);
  EXPECT_EQ(p.op, "<=");
  EXPECT_DOUBLE_EQ(p.threshold, 0.5);
  EXPECT_EQ(p.max, 1.0);
  EXPECT_FALSE(p.min.has_value());
  EXPECT_EQ(p.hold, std::chrono::seconds(30));
}

TEST(LoaderErrors, ProgressiveRolloutKeys) {
  auto text = kMinimalRunbook;
  text.insert(text.find("release:"), "    strategy: { canary: \"0%\", gate_each_batch: maybe }\n");
  text +=
      "gate: { fail_after: -1 }\n"
      "checks:\n"
      "  - name: errors\n"
      "    prometheus: { url: \"ftp://x\", query: up, success: \"value > 1\" }\n"
      "  - name: bare\n"
      "    prometheus: { url: \"http://x\", query: up }\n";
  const auto r = load(text);
  EXPECT_TRUE(HasErrorContaining(r, "canary percentage must be between 1% and 100%"));
  EXPECT_TRUE(HasErrorContaining(r, "must be between 0 and 1000, got -1"));
  EXPECT_TRUE(HasErrorContaining(r, "expected `result OP NUMBER`"));
  EXPECT_TRUE(HasErrorContaining(r, "must start with http:// or https://"));
  EXPECT_TRUE(HasErrorContaining(r, "prometheus check needs `success`, `min` or `max`"));
  EXPECT_GE(r.errors.size(), 6u) << testing_support::all_errors(r);
}

}  // namespace
}  // namespace golive
