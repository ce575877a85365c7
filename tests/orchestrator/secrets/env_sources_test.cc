// env_from sources through check_release_env with the real process adapter: real `age`
// (age-keygen identity, a dotenv encrypted in the test), stand-in `op`, `vault` and `aws` CLIs on
// a temp PATH, precedence, and failures that name the source without showing its values.
#include "orchestrator/secrets/env_sources.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "golive/env_check.h"
#include "golive/interpolate.h"
#include "golive/shell_quote.h"
#include "tests/harness/scoped_temp_dir.h"
#include "tests/harness/python_server.h"
#include "tests/harness/scenario.h"

namespace golive {
namespace {

namespace fs = std::filesystem;
using golive::testing::Scenario;
using TempDir = golive::testing::ScopedTempDir;
using namespace std::chrono_literals;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class EnvSources : public ::testing::Test {
 protected:
  void SetUp() override {
    local_ = make_local_process();
    bin_ = tmp_.path() + "/bin";
    fs::create_directories(bin_);
    penv_["PATH"] = bin_ + ":/usr/bin:/bin";
    penv_["HOME"] = tmp_.path();
    rb_.dir = tmp_.path();
    rb_.file = tmp_.path() + "/golive.yml";
    Environment staging;
    staging.name = "staging";
    Environment production;
    production.name = "production";
    rb_.environments = {staging, production};
  }

  void write(const std::string& rel, const std::string& text, bool exec = false) {
    const std::string p = tmp_.path() + "/" + rel;
    fs::create_directories(fs::path(p).parent_path());
    std::ofstream(p, std::ios::binary) << text;
    if (exec) ::chmod(p.c_str(), 0755);
  }
  // A stand-in CLI `name` on the test PATH: records its arguments, prints `out`.
  void stand_in(const std::string& name, const std::string& out, const std::string& extra = "") {
    write("bin/" + name,
          "#!/bin/sh\necho \"$@\" > " + shell_quote(tmp_.path() + "/" + name + ".args") + "\n" +
              extra + "cat <<'EOF'\n" + out + "\nEOF\n",
          true);
  }
  // An age identity (age-keygen) and `plain` encrypted to it as `rel`.
  std::string age_encrypt(const std::string& rel, const std::string& plain) {
    const std::string id = tmp_.path() + "/age-identity.txt";
    fs::create_directories(fs::path(tmp_.path() + "/" + rel).parent_path());
    if (!fs::exists(id)) Scenario::sh("age-keygen -o " + shell_quote(id) + " 2>/dev/null");
    write("plain.tmp", plain);
    Scenario::sh("age -e -i " + shell_quote(id) + " -o " + shell_quote(tmp_.path() + "/" + rel) +
                 " " + shell_quote(tmp_.path() + "/plain.tmp"));
    fs::remove(tmp_.path() + "/plain.tmp");
    return id;
  }
  EnvSource& add(EnvSourceKind kind, const std::string& env = "production") {
    Environment& e = env == "staging" ? rb_.environments[0] : rb_.environments[1];
    e.env_from.push_back({});
    e.env_from.back().kind = kind;
    return e.env_from.back();
  }
  Result<EnvReport> check(const std::string& env = "production") {
    return check_release_env(rb_, env, penv_, local_.get());
  }

  TempDir tmp_;
  std::string bin_;
  std::map<std::string, std::string> penv_;
  Runbook rb_;
  std::unique_ptr<LocalProcess> local_;
};

TEST_F(EnvSources, AgeFileIsDecryptedInMemoryWithAnIdentityFile) {
  const std::string id = age_encrypt("secrets/prod.env.age",
                                     "DATABASE_URL=postgres://app:s3cr3t-age-pw@db/portal\n"
                                     "APP_ENV=production\n");
  auto& src = add(EnvSourceKind::kAge);
  src.path = "secrets/prod.env.age";
  src.identity = "age-identity.txt";
  rb_.env.public_names = {"APP_ENV"};
  auto r = check();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->values.at("DATABASE_URL").value, "postgres://app:s3cr3t-age-pw@db/portal");
  EXPECT_EQ(r->values.at("DATABASE_URL").source, "env_from[0] age secrets/prod.env.age");
  EXPECT_EQ(r->values.at("DATABASE_URL").line, 1);
  // From a source: secret by default, unless declared public.
  EXPECT_NE(std::ranges::find(r->secret_names, "DATABASE_URL"), r->secret_names.end());
  EXPECT_EQ(std::ranges::find(r->secret_names, "APP_ENV"), r->secret_names.end());
  // Nothing in clear on disk: only the ciphertext, the identity and the PATH dir.
  for (const auto& e : fs::recursive_directory_iterator(tmp_.path())) {
    if (!e.is_regular_file()) continue;
    EXPECT_FALSE(contains(Scenario::read_file(e.path().string()), "s3cr3t-age-pw")) << e.path();
  }
  auto lines = format_env_sources(*r);
  EXPECT_NE(std::ranges::find(lines, "DATABASE_URL <- env_from[0] age secrets/prod.env.age:1"),
            lines.end());
}

TEST_F(EnvSources, AgeKeyInGoliveAgeIdentityIsFedOnStdin) {
  const std::string id = age_encrypt("prod.env.age", "SMTP_PASSWORD=k3y-from-env-var\n");
  std::string key = Scenario::sh("grep '^AGE-SECRET-KEY-' " + shell_quote(id));
  ASSERT_TRUE(key.starts_with("AGE-SECRET-KEY-"));
  fs::remove(id);  // the key now exists only in the (injected) environment
  add(EnvSourceKind::kAge).path = "prod.env.age";
  penv_["GOLIVE_AGE_IDENTITY"] = key;
  auto r = check();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->values.at("SMTP_PASSWORD").value, "k3y-from-env-var");
}

TEST_F(EnvSources, WrongAgeIdentityStopsWithExit3NamingTheSource) {
  age_encrypt("prod.env.age", "SMTP_PASSWORD=never-shown-value\n");
  Scenario::sh("age-keygen -o " + shell_quote(tmp_.path() + "/other.txt") + " 2>/dev/null");
  auto& src = add(EnvSourceKind::kAge);
  src.path = "prod.env.age";
  src.identity = "other.txt";
  auto r = check();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().exit, ExitCode::kPreflight);
  EXPECT_TRUE(contains(r.error().message, "env_from[0] age prod.env.age")) << r.error().message;
  EXPECT_TRUE(contains(r.error().message, "`age` exited with status 1")) << r.error().message;
  EXPECT_TRUE(contains(r.error().message, "stderr: age: error")) << r.error().message;
  EXPECT_FALSE(contains(r.error().message, "never-shown-value"));
  src.identity = "";
  r = check();
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(contains(r.error().message, "no age identity")) << r.error().message;
}

TEST_F(EnvSources, LaterSourcesOverrideEarlierAndTheProcessEnvironmentWins) {
  rb_.environments[1].env_file = ".env.production";
  write(".env.production", "A=from-env-file\nB=from-env-file\nC=from-env-file\nD=from-env-file\n");
  write(".env.common", "B=from-file-source\nC=from-file-source\nD=from-file-source\n");
  add(EnvSourceKind::kFile).path = ".env.common";
  add(EnvSourceKind::kCommand).command = "printf 'C=from-command\\nD=from-command\\n'";
  add(EnvSourceKind::kValues).values = {{"D", "echo from-values"}};
  penv_["A"] = "from-process";
  auto r = check();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->values.at("A").value, "from-process");
  EXPECT_EQ(r->values.at("B").value, "from-file-source");
  EXPECT_EQ(r->values.at("B").source, "env_from[0] file .env.common");
  EXPECT_EQ(r->values.at("C").value, "from-command");
  EXPECT_EQ(r->values.at("C").source, "env_from[1] command printf");
  EXPECT_EQ(r->values.at("D").value, "from-values");
  EXPECT_EQ(r->values.at("D").source, "env_from[2] values");
}

TEST_F(EnvSources, VendorConveniencesRunTheDocumentedCommandAndConvertJson) {
  stand_in("op", R"({"id":"x","fields":[
    {"id":"notesPlain","label":"notesPlain","value":""},
    {"id":"a","label":"OP_TOKEN","value":"op-t0ken-value"},
    {"id":"b","label":"not an env name","value":"ignored"},
    {"id":"c","label":"OP_PORT","value":"8080"}]})");
  stand_in(
      "vault",
      R"({"data":{"data":{"VAULT_PASSWORD":"v4ult-pass","RETRIES":3},"metadata":{"version":2}}})");
  stand_in("aws", R"({"AWS_DB_PASSWORD":"aws-s3cret","FLAG":true})");
  add(EnvSourceKind::kOnePassword).vault = "Private Vault";
  rb_.environments[1].env_from.back().item = "portal-prod";
  add(EnvSourceKind::kVault).path = "secret/portal/prod";
  add(EnvSourceKind::kAwsSecrets).secret_id = "portal/prod";
  auto r = check();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->values.at("OP_TOKEN").value, "op-t0ken-value");
  EXPECT_EQ(r->values.at("OP_PORT").value, "8080");
  EXPECT_FALSE(r->values.contains("notesPlain"));
  EXPECT_EQ(r->values.at("VAULT_PASSWORD").value, "v4ult-pass");
  EXPECT_EQ(r->values.at("RETRIES").value, "3");
  EXPECT_EQ(r->values.at("AWS_DB_PASSWORD").value, "aws-s3cret");
  EXPECT_EQ(r->values.at("FLAG").value, "true");
  EXPECT_EQ(r->values.at("OP_TOKEN").source, "env_from[0] onepassword Private Vault/portal-prod");
  auto args = [&](const std::string& n) {
    return Scenario::read_file(tmp_.path() + "/" + n + ".args");
  };
  EXPECT_EQ(args("op"), "item get portal-prod --vault Private Vault --format json\n");
  EXPECT_EQ(args("vault"), "kv get -format=json secret/portal/prod\n");
  EXPECT_EQ(args("aws"),
            "secretsmanager get-secret-value --secret-id portal/prod --query SecretString "
            "--output text\n");
  EXPECT_EQ(vendor_command(rb_.environments[1].env_from[0]),
            "op item get 'portal-prod' --vault 'Private Vault' --format json");
}

TEST_F(EnvSources, VaultKvVersion1AndBadJsonThatIsNeverQuoted) {
  stand_in("vault", R"({"data":{"V1_SECRET":"kv-one"}})");
  add(EnvSourceKind::kVault).path = "kv/portal";
  auto r = check();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->values.at("V1_SECRET").value, "kv-one");
  stand_in("vault", "not json: hunter2-leaked");
  r = check();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().exit, ExitCode::kPreflight);
  EXPECT_TRUE(
      contains(r.error().message, "env_from[0] vault kv/portal: the output is not valid JSON"))
      << r.error().message;
  EXPECT_FALSE(contains(r.error().message, "hunter2"));
}

TEST_F(EnvSources, MissingCliIsNamed) {
  add(EnvSourceKind::kAwsSecrets).secret_id = "portal/prod";
  penv_["PATH"] = bin_;  // no aws here
  auto r = check();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().exit, ExitCode::kPreflight);
  EXPECT_EQ(r.error().message,
            "env_from[0] aws_secrets_manager portal/prod: `aws` is not installed (not found on "
            "PATH)");
}

TEST_F(EnvSources, FailingCommandShowsRedactedStderrNeverStdout) {
  write(".env.common", "EARLIER_TOKEN=earlier-t0ken-value\n");
  add(EnvSourceKind::kFile).path = ".env.common";
  add(EnvSourceKind::kCommand).command =
      "echo 'PARTIAL=half-printed-secret'; echo \"boom: half-printed-secret, earlier-t0ken-value\" "
      ">&2; exit 4";
  auto r = check();
  ASSERT_FALSE(r.has_value());
  const std::string& m = r.error().message;
  EXPECT_EQ(r.error().exit, ExitCode::kPreflight);
  EXPECT_TRUE(contains(m, "env_from[1] command echo: its command exited with status 4")) << m;
  EXPECT_TRUE(contains(m, "stderr: boom: [REDACTED:stdout], [REDACTED:EARLIER_TOKEN]")) << m;
  EXPECT_FALSE(contains(m, "half-printed-secret")) << m;
  EXPECT_FALSE(contains(m, "earlier-t0ken-value")) << m;
}

TEST_F(EnvSources, HangingCommandIsKilledAtItsTimeout) {
  auto& src = add(EnvSourceKind::kValues);
  src.values = {{"SLOW_TOKEN", "sleep 30; echo never"}};
  src.timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  auto r = check();
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().exit, ExitCode::kPreflight);
  EXPECT_TRUE(contains(r.error().message,
                       "env_from[0] values SLOW_TOKEN: its command did not finish within"))
      << r.error().message;
  EXPECT_LT(took, 5s);
  EXPECT_EQ(Scenario::sh("pgrep -f '[s]leep 30; echo never' || true"), "");
}

TEST_F(EnvSources, CommandOutputThatIsNotDotenvIsReportedByLineOnly) {
  add(EnvSourceKind::kCommand).command = "printf 'GOOD=1\\nthis line is a s3cret\\n'";
  auto r = check();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().exit, ExitCode::kPreflight);
  EXPECT_TRUE(contains(r.error().message, "env_from[0] command printf (stdout):2:"))
      << r.error().message;
  EXPECT_FALSE(contains(r.error().message, "s3cret"));
}

TEST_F(EnvSources, SourceValuesGoThroughEveryCheckAndDistinctFromStagingSources) {
  age_encrypt("staging.env.age", "SHARED_TOKEN=same-in-both-envs-123\n");
  auto& st = add(EnvSourceKind::kAge, "staging");
  st.path = "staging.env.age";
  st.identity = "age-identity.txt";
  add(EnvSourceKind::kCommand).command =
      "printf 'SHARED_TOKEN=same-in-both-envs-123\\nPLACE=changeme\\nEMPTY=\\n'";
  EnvRequirement shared;
  shared.name = "SHARED_TOKEN";
  shared.distinct_from = "staging";
  EnvRequirement empty;
  empty.name = "EMPTY";
  EnvRequirement place;
  place.name = "PLACE";
  rb_.env.required = {shared, empty, place};
  auto r = check();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  std::string all;
  for (const auto& p : r->problems) all += format_env_problem(p) + "\n";
  EXPECT_TRUE(contains(all,
                       "env_from[0] command printf:1: SHARED_TOKEN has the same value as in "
                       "staging (env_from[0] age staging.env.age:1)"))
      << all;
  EXPECT_TRUE(contains(all, "env_from[0] command printf:3: EMPTY is empty\n")) << all;
  EXPECT_TRUE(contains(all, "PLACE looks like a placeholder")) << all;
  EXPECT_FALSE(contains(all, "same-in-both-envs-123")) << all;
  // Registered with the redactor like file secrets.
  Redactor redactor;
  add_secrets(*r, redactor);
  EXPECT_EQ(redactor.redact("x same-in-both-envs-123 y"), "x [REDACTED:SHARED_TOKEN] y");
}

TEST_F(EnvSources, ArtifactScanFindsSourceValuesButNotPublicOnes) {
  stand_in("aws", R"({"AWS_API_TOKEN":"aws-t0ken-in-bundle","APP_ENV":"production"})");
  add(EnvSourceKind::kAwsSecrets).secret_id = "portal/prod";
  rb_.env.public_names = {"APP_ENV"};
  auto r = check();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  write("dist/app.js", "const env = 'production'; const t = 'aws-t0ken-in-bundle';\n");
  auto findings = scan_for_secrets(tmp_.path() + "/dist", *r);
  ASSERT_TRUE(findings.has_value()) << findings.error().message;
  ASSERT_EQ(findings->size(), 1u);
  EXPECT_EQ(format_secret_finding(findings->front()), "app.js@37: value of AWS_API_TOKEN");
}

}  // namespace
}  // namespace golive
