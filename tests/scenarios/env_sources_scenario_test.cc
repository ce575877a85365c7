// env_from through the real binary on the sandbox fleet (issue 18): a real age-encrypted dotenv
// and stand-in `op`, `vault` and `aws` CLIs feed a deploy; their values reach the hosts only in
// the release's env file (shared/env/<id>.env, 0600) and never any other file, command line,
// output, ledger or JUnit report; a failing, hanging or missing source stops the release with
// exit 3 and touches no host.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "golive/interpolate.h"
#include "golive/shell_quote.h"
#include "tests/harness/command_line_watch.h"
#include "tests/harness/scenario.h"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The stand-ins compute their secrets at run time (sha256 of a seed), so no file under the
// test's directories holds them; the test computes the same values.
std::string derived(const std::string& seed) {
  return Scenario::sh("printf %s " + shell_quote(seed) + " | sha256sum | cut -c1-40");
}
std::string derive_sh(const std::string& seed) {
  return "$(printf %s " + shell_quote(seed) + " | sha256sum | cut -c1-40)";
}

// Writes `input` to the stdin of `command` (so a plaintext never touches a file or a command line).
void pipe_to(const std::string& command, const std::string& input) {
  FILE* p = ::popen(command.c_str(), "w");
  ASSERT_NE(p, nullptr);
  std::fwrite(input.data(), 1, input.size(), p);
  ASSERT_EQ(::pclose(p), 0) << command;
}

class EnvSourcesScenario : public ::testing::Test {
 protected:
  EnvSourcesScenario() : s_(2) {}

  void SetUp() override {
    bin_ = s_.dir() + "/bin";
    fs::create_directories(bin_);
    identity_ = s_.dir() + "/age/portal.txt";
    fs::create_directories(fs::path(identity_).parent_path());
    Scenario::sh("age-keygen -o " + shell_quote(identity_) + " 2>/dev/null");
    const std::string recipient = Scenario::sh("age-keygen -y " + shell_quote(identity_));
    fs::create_directories(s_.repo() + "/secrets");
    secret_key_ = derived("age-secret-key") + derived("age-2").substr(0, 8);
    pipe_to("age -r " + recipient + " -o " + shell_quote(s_.repo() + "/secrets/staging.env.age"),
            "SECRET_KEY=" + secret_key_ + "\n");
    smtp_password_ = derived("op-smtp");
    smoke_password_ = derived("vault-smoke");
    sentry_dsn_ = derived("aws-sentry");
    api_token_ = derived("op-read-api");
    stand_in("op", "if [ \"$1\" = read ]; then printf '%s\\n' \"" + derive_sh("op-read-api") +
                       "\"; exit 0; fi\n"
                       "printf '{\"fields\":[{\"label\":\"notesPlain\",\"value\":\"\"},"
                       "{\"label\":\"SMTP_PASSWORD\",\"value\":\"%s\"}]}' \"" +
                       derive_sh("op-smtp") + "\"\n");
    stand_in("vault",
             "printf '{\"data\":{\"data\":{\"SMOKE_PASSWORD\":\"%s\"},"
             "\"metadata\":{\"version\":3}}}' \"" +
                 derive_sh("vault-smoke") + "\"\n");
    stand_in("aws", "printf '{\"SENTRY_DSN\":\"%s\"}' \"" + derive_sh("aws-sentry") + "\"\n");
    // Those values now come only from the sources.
    std::string env = Scenario::read_file(s_.repo() + "/.env.staging"), kept, line;
    std::istringstream in(env);
    while (std::getline(in, line)) {
      if (!line.starts_with("SECRET_KEY=") && !line.starts_with("SMTP_PASSWORD=") &&
          !line.starts_with("SMOKE_PASSWORD=")) {
        kept += line + "\n";
      }
    }
    s_.write(".env.staging", kept);
    // golive's log must not make the later commits of this test dirty.
    s_.write(".gitignore", Scenario::read_file(s_.repo() + "/.gitignore") + ".golive/\n");
    penv_ = {{"PATH", bin_ + ":" + std::getenv("PATH")}, {"GOLIVE_AGE_IDENTITY", identity_}};
  }

  void stand_in(const std::string& name, const std::string& body) {
    const std::string p = bin_ + "/" + name;
    std::ofstream(p) << "#!/bin/sh\n" << body;
    fs::permissions(p, fs::perms::owner_all);
  }

  // env_from for staging (YAML lines at environment level).
  void use_sources(const std::string& env_from) {
    s_.edit_runbook({{"    env_file: .env.staging\n", "    env_file: .env.staging\n" + env_from},
                     {"  required:\n", "  secrets: [ SENTRY_DSN, API_TOKEN ]\n  required:\n"}});
    s_.commit("secrets from env_from");
  }

  std::vector<std::string> secrets() const {
    return {secret_key_, smtp_password_, smoke_password_, sentry_dsn_, api_token_};
  }

  Scenario s_;
  std::string bin_, identity_;
  std::string secret_key_, smtp_password_, smoke_password_, sentry_dsn_, api_token_;
  std::map<std::string, std::string> penv_;
};

constexpr const char* kAllSources =
    "    env_from:\n"
    "      - age: secrets/staging.env.age\n"
    "      - onepassword: { vault: Portal, item: portal-staging }\n"
    "      - vault: { path: secret/portal/staging }\n"
    "      - aws_secrets_manager: { secret_id: portal/staging }\n"
    "      - values: { API_TOKEN: \"op read op://Portal/api/token\" }\n";

TEST_F(EnvSourcesScenario, DeployTakesSecretsFromEverySourceAndLeavesNoTrace) {
  use_sources(kAllSources);
  GoliveRun check = s_.golive({"check", "staging"}, penv_);
  ASSERT_EQ(check.exit_code, 0) << check.all();
  for (const char* line :
       {"env: SECRET_KEY <- env_from[0] age secrets/staging.env.age:1",
        "env: SMTP_PASSWORD <- env_from[1] onepassword Portal/portal-staging",
        "env: SMOKE_PASSWORD <- env_from[2] vault secret/portal/staging",
        "env: SENTRY_DSN <- env_from[3] aws_secrets_manager portal/staging",
        "env: API_TOKEN <- env_from[4] values", "env: SMTP_USER <- .env.staging:"}) {
    EXPECT_TRUE(contains(check.all(), line)) << line << "\n" << check.all();
  }

  // Deploy while sampling every process's command line.
  CommandLineWatch watch(secrets());
  GoliveRun run = s_.golive(
      {"deploy", "staging", "--verbose", "--json", "--junit", s_.dir() + "/junit.xml"}, penv_);
  watch.stop();
  ASSERT_EQ(run.exit_code, 0) << run.all();
  EXPECT_GE(watch.samples(), 5);  // it did sample during the deploy (fewer on a loaded machine)
  EXPECT_TRUE(watch.seen().empty()) << "a secret was on a command line";
  GoliveRun show = s_.golive({"show", s_.current(1), "--json"});
  GoliveRun history = s_.golive({"history", "--json"});

  // On the hosts: exactly in the release's env file behind shared/.env (0600), in no other file.
  const std::string id = s_.current(1);
  for (int k = 1; k <= 2; ++k) {
    const std::string env = s_.root(k) + "/shared/env/" + id + ".env";
    EXPECT_EQ(fs::read_symlink(s_.root(k) + "/shared/.env").string(), "env/" + id + ".env");
    EXPECT_EQ(Scenario::sh("stat -c %a " + shell_quote(env)), "600");
    for (const auto& secret : secrets()) {
      EXPECT_TRUE(contains(Scenario::read_file(env), secret)) << "web" << k;
      EXPECT_EQ(Scenario::sh("grep -rlF -- " + shell_quote(secret) + " " + shell_quote(s_.root(k)) +
                             " | grep -v '/shared/env/" + id + ".env$' || true"),
                "")
          << "web" << k;
    }
  }
  // Everywhere else: every file under the test's directory (repo, stand-ins, identity, ledger,
  // JUnit, logs), the outputs.
  std::map<std::string, std::string> sinks = {{"check output", check.all()},
                                              {"deploy output", run.all()},
                                              {"show --json", show.all()},
                                              {"history --json", history.all()}};
  ASSERT_TRUE(fs::exists(s_.dir() + "/junit.xml"));
  for (const auto& e : fs::recursive_directory_iterator(s_.dir())) {
    if (e.is_regular_file()) sinks[e.path().string()] = Scenario::read_file(e.path().string());
  }
  for (const auto& [name, bytes] : sinks) {
    for (const auto& secret : secrets()) {
      EXPECT_FALSE(contains(bytes, secret)) << name << " holds a secret";
    }
  }
}

TEST_F(EnvSourcesScenario, HangingFailingOrMissingSourceStopsWithExit3TouchingNothing) {
  stand_in("op", "printf 'SMTP_PASSWORD=%s\\n' \"" + derive_sh("op-smtp") +
                     "\"\necho \"op: error: session expired (had $(printf %s " +
                     shell_quote("op-smtp") + " | sha256sum | cut -c1-40))\" >&2\nexit 1\n");
  use_sources(
      "    env_from:\n"
      "      - age: secrets/staging.env.age\n"
      "      - { values: { API_TOKEN: \"sleep 30\" }, timeout: 500ms }\n");
  GoliveRun hang = s_.golive({"deploy", "staging"}, penv_);
  EXPECT_EQ(hang.exit_code, 3) << hang.all();
  EXPECT_TRUE(
      contains(hang.all(), "env_from[1] values API_TOKEN: its command did not finish within 500ms"))
      << hang.all();

  s_.edit_runbook({{"\"sleep 30\" }, timeout: 500ms", "\"op read op://x\" }"}});
  s_.commit("failing op");
  GoliveRun failing = s_.golive({"deploy", "staging"}, penv_);
  EXPECT_EQ(failing.exit_code, 3) << failing.all();
  EXPECT_TRUE(contains(failing.all(),
                       "env_from[1] values API_TOKEN: its command exited with "
                       "status 1"))
      << failing.all();
  EXPECT_TRUE(contains(failing.all(), "stderr: op: error: session expired (had [REDACTED:"))
      << failing.all();
  EXPECT_FALSE(contains(failing.all(), smtp_password_)) << failing.all();

  auto missing = penv_;
  missing["PATH"] = "/usr/bin:/bin";  // age, but no aws
  s_.edit_runbook({{"\"op read op://x\" } }\n",
                    "\"true\" } }\n      - aws_secrets_manager: { secret_id: p }\n"}});
  s_.commit("aws");
  GoliveRun check = s_.golive({"check", "staging"}, missing);
  EXPECT_EQ(check.exit_code, 3) << check.all();
  EXPECT_TRUE(contains(check.all(), "env_from[2] aws_secrets_manager p: `aws` is not installed"))
      << check.all();
  missing["GOLIVE_AGE_IDENTITY"] = s_.dir() + "/nowhere.txt";
  GoliveRun no_identity = s_.golive({"deploy", "staging"}, missing);
  EXPECT_EQ(no_identity.exit_code, 3) << no_identity.all();
  EXPECT_TRUE(contains(no_identity.all(),
                       "env_from[0] age secrets/staging.env.age: the age "
                       "identity file named by GOLIVE_AGE_IDENTITY does not "
                       "exist"))
      << no_identity.all();

  for (int k = 1; k <= 2; ++k) EXPECT_FALSE(s_.touched(k)) << "web" << k;
  for (const auto& e : fs::recursive_directory_iterator(s_.dir())) {
    if (!e.is_regular_file()) continue;
    const std::string bytes = Scenario::read_file(e.path().string());
    EXPECT_FALSE(contains(bytes, smtp_password_)) << e.path();
    EXPECT_FALSE(contains(bytes, secret_key_)) << e.path();
  }
}

}  // namespace
}  // namespace golive::testing
