// Env completeness and secret safety through the real binary on the sandbox fleet: issue 4.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <sstream>

#include "golive/shell_quote.h"
#include "tests/harness/command_line_watch.h"
#include "tests/harness/scenario.h"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The value of KEY in the repo's env file `file`.
std::string env_value(Scenario& s, const std::string& file, const std::string& key) {
  std::string text = Scenario::read_file(s.repo() + "/" + file);
  auto at = text.find("\n" + key + "=");
  if (at == std::string::npos) throw std::runtime_error(key + " not in " + file);
  at += key.size() + 2;
  return text.substr(at, text.find('\n', at) - at);
}

// Sets KEY=value in the repo's env file (replacing the line; value "" removes the key).
void set_env(Scenario& s, const std::string& file, const std::string& key,
             const std::optional<std::string>& value) {
  std::string text = Scenario::read_file(s.repo() + "/" + file), out, line;
  std::istringstream in(text);
  bool done = false;
  while (std::getline(in, line)) {
    if (line.starts_with(key + "=")) {
      if (value) out += key + "=" + *value + "\n";
      done = true;
    } else {
      out += line + "\n";
    }
  }
  if (!done && value) out += key + "=" + *value + "\n";
  s.write(file, out);
}

std::string random_hex(std::size_t n) {
  std::random_device rd;
  std::string out;
  while (out.size() < n) out += "0123456789abcdef"[rd() % 16];
  return out;
}

// Adds a production environment on `hosts` (YAML flow entries) with stricter rules:
// SECRET_KEY distinct from staging, SMTP_URL pattern, SMTP_PASSWORD secret.
void add_production(Scenario& s, const std::string& hosts) {
  s.edit_runbook(
      {{"\nenv:\n", "\n  production:\n    env_file: .env.production\n    vars: { port: \"" +
                        std::to_string(s.app_port()) + "\" }\n    hosts:\n" + hosts + "env:\n"},
       {"    - { name: SECRET_KEY, secret: true, min_length: 32 }\n",
        "    - { name: SECRET_KEY, secret: true, min_length: 32, distinct_from: staging }\n"
        "    - { name: SMTP_URL, pattern: \"^smtps?://\" }\n"
        "    - { name: SMTP_PASSWORD, secret: true }\n"}});
}

// Plants one problem of each kind in .env.production.
void plant_problems(Scenario& s) {
  set_env(s, ".env.production", "SMOKE_USER", std::nullopt);             // missing
  set_env(s, ".env.production", "SMTP_USER", "");                        // empty
  set_env(s, ".env.production", "SMTP_URL", "http://mail.example.com");  // pattern
  set_env(s, ".env.production", "SMOKE_PASSWORD", "changeme");           // placeholder
  set_env(s, ".env.production", "SECRET_KEY", env_value(s, ".env.staging", "SECRET_KEY"));
}

void expect_every_problem(const GoliveRun& run) {
  const std::string out = run.all();
  EXPECT_EQ(run.exit_code, 3) << out;
  for (const char* key : {"SMOKE_USER", "SMTP_USER", "SMTP_URL", "SMOKE_PASSWORD", "SECRET_KEY"}) {
    EXPECT_TRUE(contains(out, key)) << key << " not reported:\n" << out;
  }
  EXPECT_TRUE(contains(out, "^smtps?://")) << out;
  EXPECT_TRUE(contains(out, "placeholder")) << out;
  EXPECT_TRUE(contains(out, "staging")) << out;
  // Nothing tried to reach 127.0.0.99 (nothing listens there: an attempt would say so).
  EXPECT_FALSE(contains(out, "cannot reach")) << out;
  EXPECT_FALSE(contains(out, "127.0.0.99")) << out;
}

TEST(SecretsScenario, CheckReportsEveryProblemAtOnceWithoutContactingHosts) {
  Scenario s(1);
  add_production(s, "      - { name: prod1, address: 127.0.0.99 }\n");
  plant_problems(s);
  s.commit("broken production env");
  const std::string smtp_password = env_value(s, ".env.production", "SMTP_PASSWORD");
  s.write("dist/app.js", "const relay = \"" + smtp_password + "\";\n");
  GoliveRun run = s.golive({"check", "production"});
  expect_every_problem(run);
  EXPECT_TRUE(contains(run.all(), "secret in build output: dist/app.js")) << run.all();
  EXPECT_TRUE(contains(run.all(), "SMTP_PASSWORD")) << run.all();
  EXPECT_FALSE(contains(run.all(), smtp_password)) << "the finding leaks the secret it found";
  EXPECT_TRUE(contains(run.all(), "6 problem(s); no host was contacted")) << run.all();
}

TEST(SecretsScenario, DeployWithEnvProblemsTouchesNoHost) {
  Scenario s(2);
  // Real hosts (web1, web2, which a deploy would change) plus one where nothing listens.
  add_production(s, "      - { name: web1, address: " + s.address(1) +
                        " }\n      - { name: web2, "
                        "address: " +
                        s.address(2) + " }\n      - { name: web9, address: 127.0.0.99 }\n");
  plant_problems(s);
  s.commit("broken production env");
  GoliveRun run = s.golive({"deploy", "production"});
  expect_every_problem(run);
  EXPECT_TRUE(contains(run.all(), "nothing was touched")) << run.all();
  for (int k = 1; k <= 2; ++k) EXPECT_FALSE(fs::exists(s.root(k))) << "web" << k;
}

TEST(SecretsScenario, DeployRefusesABuildThatLeaksASecret) {
  Scenario s(2);
  s.edit_runbook(
      {{"  - { name: build, local: bin/build }\n",
        "  - { name: build, local: bin/build }\n"
        "  - { name: leak, local: \"echo \\\"var k = '$SECRET_KEY';\\\" > dist/app.js\" }\n"}});
  s.commit("bundles the secret");
  GoliveRun run = s.golive({"deploy", "staging"});
  EXPECT_EQ(run.exit_code, 3) << run.all();
  EXPECT_TRUE(contains(run.all(), "secret in build output: dist/app.js")) << run.all();
  EXPECT_TRUE(contains(run.all(), "SECRET_KEY")) << run.all();
  EXPECT_FALSE(contains(run.all(), env_value(s, ".env.staging", "SECRET_KEY"))) << run.all();
  for (int k = 1; k <= 2; ++k) EXPECT_FALSE(s.touched(k)) << "web" << k;
}

TEST(SecretsScenario, CleanEnvironmentPassesCheck) {
  Scenario s(2);
  GoliveRun run = s.golive({"check", "staging"});
  EXPECT_EQ(run.exit_code, 0) << run.all();
  EXPECT_TRUE(contains(run.all(), "2 host(s) reachable, host keys trusted")) << run.all();
  EXPECT_TRUE(contains(run.all(), "check staging: ready to deploy")) << run.all();
  for (int k = 1; k <= 2; ++k) EXPECT_FALSE(s.touched(k)) << "web" << k;
}

TEST(SecretsScenario, SecretEchoedWholeAndInPiecesLeavesNoTraceInAnySink) {
  Scenario s(2);
  const std::string secret = random_hex(48);
  set_env(s, ".env.staging", "SECRET_KEY", secret);
  // Whole, then in two halves flushed 200 ms apart, on stdout and stderr, remotely and locally.
  const std::string halves =
      "printf %s \\\"$SECRET_KEY\\\" | head -c 10; sleep 0.2; "
      "printf %s \\\"$SECRET_KEY\\\" | tail -c +11; echo";
  s.edit_runbook({{"  - { name: build, local: bin/build }\n",
                   "  - { name: build, local: bin/build }\n"
                   "  - { name: say, local: \"echo \\\"key $SECRET_KEY\\\"; " +
                       halves + "\" }\n"},
                  {"  - { name: switch, switch: current }\n",
                   "  - { name: leak, run: \"echo \\\"key $SECRET_KEY\\\"; " + halves + "; (" +
                       halves + ") >&2\" }\n  - { name: switch, switch: current }\n"}});
  s.commit("echoes its secret");
  GoliveRun run =
      s.golive({"deploy", "staging", "--verbose", "--json", "--junit", s.dir() + "/junit.xml"});
  ASSERT_EQ(run.exit_code, 0) << run.all();
  ASSERT_TRUE(fs::exists(s.dir() + "/junit.xml"));  // swept below with every file in dir()
  const std::string id = s.current(1);
  ASSERT_FALSE(id.empty());
  GoliveRun show = s.golive({"show", id, "--json"});
  GoliveRun show_text = s.golive({"show", id, "--verbose"});
  GoliveRun history = s.golive({"history", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.all();
  // The step did print it (redacted), so the test proves redaction, not silence.
  EXPECT_TRUE(contains(show.out, "[REDACTED:SECRET_KEY]")) << show.out;

  std::map<std::string, std::string> sinks = {
      {"deploy stdout+stderr", run.all()},
      {"show --json", show.all()},
      {"show", show_text.all()},
      {"history --json", history.all()},
      {"ledger", Scenario::read_file(s.ledger())},
      {"ledger-wal", Scenario::read_file(s.ledger() + "-wal")},
      {"ledger-journal", Scenario::read_file(s.ledger() + "-journal")}};
  for (int k = 1; k <= 2; ++k) {
    for (const auto& e : fs::recursive_directory_iterator(s.root(k) + "/.golive")) {
      if (e.is_regular_file())
        sinks["web" + std::to_string(k) + " " + e.path().string()] =
            Scenario::read_file(e.path().string());
    }
  }
  for (const auto& e : fs::recursive_directory_iterator(s.dir())) {
    if (e.is_regular_file() && !e.path().string().starts_with(s.repo() + "/")) {
      sinks[e.path().string()] = Scenario::read_file(e.path().string());
    }
  }
  const std::vector<std::string> traces = {secret, secret.substr(0, 10), secret.substr(10)};
  for (const auto& [name, bytes] : sinks) {
    for (const auto& t : traces) EXPECT_FALSE(contains(bytes, t)) << name << " holds '" << t << "'";
  }
}

TEST(SecretsScenario, SecretsNeverAppearOnACommandLine) {
  Scenario s(2);
  s.edit_runbook(
      {{"  - { name: switch, switch: current }\n",
        "  - { name: slow, run: \"sleep 3\" }\n  - { name: switch, switch: current }\n"}});
  // Values no other test knows: the example's fixed secrets can sit on a concurrent test's own
  // command line (a `grep -F <secret>` check), which this machine-wide sampler would blame on us.
  std::vector<std::string> secrets;
  for (const char* key : {"SECRET_KEY", "SMOKE_PASSWORD", "SMTP_PASSWORD"}) {
    secrets.push_back(random_hex(40));
    set_env(s, ".env.staging", key, secrets.back());
  }
  s.commit("slow step, secrets of its own");
  CommandLineWatch watch(secrets);
  GoliveRun run = s.golive({"deploy", "staging"});
  watch.stop();
  EXPECT_EQ(run.exit_code, 0) << run.all();
  EXPECT_GE(watch.samples(), 5);  // it did sample during the deploy (fewer on a loaded machine)
  EXPECT_TRUE(watch.seen().empty()) << "secret on a command line: " << watch.seen().front();
}

TEST(SecretsScenario, EnvFileOnHostsIsSharedDotEnvMode0600) {
  Scenario s(2);
  GoliveRun run = s.golive({"deploy", "staging"});
  ASSERT_EQ(run.exit_code, 0) << run.all();
  const std::string secret = env_value(s, ".env.staging", "SECRET_KEY");
  const std::string id = s.current(1);
  for (int k = 1; k <= 2; ++k) {
    const std::string env = s.root(k) + "/shared/.env";
    // shared/.env is the live release's own env file (docs/env-and-secrets.md).
    EXPECT_EQ(fs::read_symlink(env).string(), "env/" + id + ".env") << "web" << k;
    EXPECT_EQ(Scenario::sh("stat -L -c '%a %U' " + shell_quote(env)), "600 deploy") << "web" << k;
    EXPECT_EQ(Scenario::sh("stat -c '%a' " + shell_quote(s.root(k) + "/shared/env")), "700");
    EXPECT_TRUE(contains(Scenario::read_file(env), "SECRET_KEY=")) << "web" << k;
    EXPECT_TRUE(contains(Scenario::read_file(env), secret)) << "web" << k;
    EXPECT_EQ(fs::read_symlink(s.root(k) + "/current/.env").string(), env) << "web" << k;
    // No stray temp copies of it anywhere else under the host's root.
    EXPECT_EQ(Scenario::sh("grep -rlF -- " + shell_quote(secret) + " " + shell_quote(s.root(k)) +
                           " | grep -v '/shared/env/" + id + ".env$' || true"),
              "")
        << "web" << k;
  }
}

}  // namespace
}  // namespace golive::testing
