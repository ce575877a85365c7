#include "golive/env_check.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

namespace golive {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "golive-envcheck-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(fs::path(path_) / name, std::ios::binary) << text;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// An env.required entry; `set` fills the rules under test.
EnvRequirement requirement(std::string name, const std::function<void(EnvRequirement&)>& set = {}) {
  EnvRequirement r;
  r.name = std::move(name);
  if (set) set(r);
  return r;
}

const std::string kSmtpPassword = "Sup3r-Secret-Smtp-Pass";
const std::string kSecretKey = "changeme";

Runbook portal_runbook(const std::string& dir) {
  Runbook rb;
  rb.dir = dir;
  rb.file = dir + "/golive.yml";
  rb.app = "client-portal";
  Environment staging;
  staging.name = "staging";
  staging.env_file = ".env.staging";
  Environment production;
  production.name = "production";
  production.env_file = ".env.production";
  rb.environments = {staging, production};
  rb.env.example = ".env.example";
  rb.env.required = {
      requirement("DATABASE_URL",
                  [&](EnvRequirement& r) {
                    r.pattern = "^postgres://";
                    r.secret = true;
                  }),
      requirement("SMTP_PASSWORD",
                  [&](EnvRequirement& r) {
                    r.secret = true;
                    r.distinct_from = "staging";
                  }),
      requirement("REDIS_URL", [&](EnvRequirement& r) { r.pattern = "^redis://"; }),
      requirement("PORT", [&](EnvRequirement& r) { r.type = "port"; }),
  };
  return rb;
}

void write_portal(const TempDir& dir) {
  dir.write(".env.example",
            "# every key here is required\n"
            "SMTP_HOST=smtp.example.com\n"
            "SMTP_USER=\n"
            "SMTP_PASSWORD=\n"
            "SECRET_KEY=\n"
            "PORT=8080\n");
  dir.write(".env.staging",
            "SMTP_HOST=smtp.staging\n"
            "SMTP_USER=staging\n"
            "SMTP_PASSWORD='" +
                kSmtpPassword + "'\n");
  dir.write(".env.production",
            "SMTP_HOST=smtp.prod\n"  // 1
            "SMTP_USER=\n"           // 2: empty
            "SMTP_PASSWORD=\"" +
                kSmtpPassword +
                "\"\n"  // 3: same as staging
                "SECRET_KEY=" +
                kSecretKey +
                "\n"                             // 4: placeholder
                "PORT=80a\n"                     // 5: bad type
                "REDIS_URL=http://cache:6379\n"  // 6: pattern
                "SMPT_HOST=smtp.typo\n");        // 7: undeclared
}

const EnvProblem* find(const std::vector<EnvProblem>& list, const std::string& key) {
  for (const auto& p : list) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

std::string describe(const EnvReport& r) {
  std::string out;
  for (const auto& p : r.problems) out += "P " + p.key + " @ " + p.where + ": " + p.rule + "\n";
  for (const auto& p : r.warnings) out += "W " + p.key + " @ " + p.where + ": " + p.rule + "\n";
  return out;
}

TEST(CheckReleaseEnv, ReportsEveryPlantedProblemInOneCall) {
  TempDir dir;
  write_portal(dir);
  auto report = check_release_env(portal_runbook(dir.path()), "production", {});
  ASSERT_TRUE(report.has_value()) << report.error().message;
  const std::string all = describe(*report);
  EXPECT_FALSE(report->ok());

  const EnvProblem* p = find(report->problems, "DATABASE_URL");
  ASSERT_NE(p, nullptr) << all;
  EXPECT_EQ(p->where, "(missing)");
  EXPECT_NE(p->rule.find("missing"), std::string::npos);

  p = find(report->problems, "SMTP_USER");
  ASSERT_NE(p, nullptr) << all;
  EXPECT_EQ(p->where, ".env.production:2");
  EXPECT_EQ(p->rule, "is empty");

  p = find(report->problems, "SMTP_PASSWORD");
  ASSERT_NE(p, nullptr) << all;
  EXPECT_EQ(p->where, ".env.production:3");
  EXPECT_NE(p->rule.find("same value as in staging (.env.staging:3)"), std::string::npos) << all;

  p = find(report->problems, "SECRET_KEY");
  ASSERT_NE(p, nullptr) << all;
  EXPECT_EQ(p->where, ".env.production:4");
  EXPECT_NE(p->rule.find("placeholder"), std::string::npos);

  p = find(report->problems, "PORT");
  ASSERT_NE(p, nullptr) << all;
  EXPECT_EQ(p->where, ".env.production:5");
  EXPECT_EQ(p->rule, "is not a port (1-65535)");

  p = find(report->problems, "REDIS_URL");
  ASSERT_NE(p, nullptr) << all;
  EXPECT_EQ(p->where, ".env.production:6");
  EXPECT_EQ(p->rule, "does not match pattern ^redis://");

  EXPECT_EQ(report->problems.size(), 6u) << all;

  ASSERT_EQ(report->warnings.size(), 1u) << all;
  EXPECT_EQ(report->warnings[0].key, "SMPT_HOST");
  EXPECT_EQ(report->warnings[0].where, ".env.production:7");
  EXPECT_EQ(report->warnings[0].rule,
            "SMPT_HOST is not declared in .env.example or env.required; did you mean SMTP_HOST?");

  // No value of any kind is ever quoted, least of all a secret.
  for (const std::string& value :
       {kSmtpPassword, std::string("80a"), std::string("http://cache")}) {
    EXPECT_EQ(all.find(value), std::string::npos) << value;
  }

  EXPECT_EQ(report->secret_names,
            (std::vector<std::string>{"DATABASE_URL", "SECRET_KEY", "SMTP_PASSWORD"}));
}

TEST(CheckReleaseEnv, ProcessEnvironmentOverridesTheFileForKnownKeysOnly) {
  TempDir dir;
  write_portal(dir);
  std::map<std::string, std::string> ci = {
      {"DATABASE_URL", "postgres://app:pw@db/portal"},
      {"SMTP_USER", "mailer"},
      {"SMTP_PASSWORD", "ci-only-smtp-secret-value"},
      {"SECRET_KEY", "k8Jd92nd0s8Hd7fw2kd0sd9f"},
      {"PORT", "8080"},
      {"REDIS_URL", "redis://cache:6379"},
      {"PATH", "/usr/bin"},
      {"HOME", "/root"},
  };
  auto report = check_release_env(portal_runbook(dir.path()), "production", ci);
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_TRUE(report->ok()) << describe(*report);
  EXPECT_EQ(report->values.at("SMTP_PASSWORD").value, "ci-only-smtp-secret-value");
  EXPECT_EQ(report->values.at("SMTP_PASSWORD").source, "process environment");
  EXPECT_EQ(report->values.at("SMTP_PASSWORD").line, 0);
  EXPECT_EQ(report->values.at("SMTP_HOST").source, ".env.production");
  EXPECT_EQ(report->values.at("SMTP_HOST").line, 1);
  EXPECT_FALSE(report->values.contains("PATH"));
  EXPECT_FALSE(report->values.contains("HOME"));
}

TEST(CheckReleaseEnv, DistinctFromComparesTheValueFromTheProcessEnvironmentToo) {
  TempDir dir;
  write_portal(dir);
  dir.write(".env.production", "SMTP_HOST=smtp.prod\n");
  auto report = check_release_env(portal_runbook(dir.path()), "production",
                                  {{"SMTP_PASSWORD", kSmtpPassword}});
  ASSERT_TRUE(report.has_value());
  const EnvProblem* p = find(report->problems, "SMTP_PASSWORD");
  ASSERT_NE(p, nullptr) << describe(*report);
  EXPECT_EQ(p->where, "process environment");
  EXPECT_NE(p->rule.find("same value as in staging"), std::string::npos);
  EXPECT_EQ(describe(*report).find(kSmtpPassword), std::string::npos);

  // A broken staging file is reported (once), not a crash and not a silent pass.
  dir.write(".env.staging", "SMTP_PASSWORD='" + kSmtpPassword + "\n");
  report = check_release_env(portal_runbook(dir.path()), "production",
                             {{"SMTP_PASSWORD", "another-long-secret-value"}});
  ASSERT_TRUE(report.has_value());
  const EnvProblem* broken = find(report->problems, "");
  ASSERT_NE(broken, nullptr) << describe(*report);
  EXPECT_EQ(format_env_problem(*broken), ".env.staging:1: unterminated single quote started here");
  EXPECT_EQ(describe(*report).find(kSmtpPassword), std::string::npos);
}

TEST(CheckReleaseEnv, EmptyCiSecretOverridesAndIsReportedAsSuch) {
  TempDir dir;
  write_portal(dir);
  auto report = check_release_env(portal_runbook(dir.path()), "production", {{"SECRET_KEY", ""}});
  ASSERT_TRUE(report.has_value());
  const EnvProblem* p = find(report->problems, "SECRET_KEY");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->where, "process environment");
  EXPECT_NE(p->rule.find("empty"), std::string::npos);
}

TEST(CheckReleaseEnv, TypesOneOfMinLengthAndPlaceholders) {
  TempDir dir;
  dir.write(".env.production",
            "GOOD_URL=https://portal.example.com/x\n"
            "BAD_URL=portal.example.com\n"
            "GOOD_EMAIL=ops@example.com\n"
            "BAD_EMAIL=ops.example.com\n"
            "GOOD_INT=-42\n"
            "BAD_INT=4.2\n"
            "GOOD_BOOL=Yes\n"
            "BAD_BOOL=maybe\n"
            "GOOD_HOST=db-1.internal.example\n"
            "BAD_HOST=db_1..internal\n"
            "GOOD_PORT=65535\n"
            "BAD_PORT=65536\n"
            "LEVEL=verbose\n"
            "API_TOKEN=short\n"
            "STRIPE_KEY=<your stripe key>\n"
            "WEBHOOK_SECRET=xxxxxxxxxxxx\n"
            "OTHER_SECRET=your-key-here\n"
            "EMPTY_QUOTES_SECRET='\"\"'\n"
            "TODO_PASSWORD=TODO: ask ops\n"
            "REAL_PASSWORD=Zq8#kd93Lm0pQ2\n");
  Runbook rb;
  rb.dir = dir.path();
  Environment prod;
  prod.name = "production";
  prod.env_file = ".env.production";
  rb.environments = {prod};
  for (const char* t : {"url", "email", "int", "bool", "hostname", "port"}) {
    std::string upper = t == std::string("hostname") ? "HOST" : t;
    for (char& c : upper) c = static_cast<char>(std::toupper(c));
    rb.env.required.push_back(requirement("GOOD_" + upper, [&](EnvRequirement& r) { r.type = t; }));
    rb.env.required.push_back(requirement("BAD_" + upper, [&](EnvRequirement& r) { r.type = t; }));
  }
  rb.env.required.push_back(requirement("LEVEL", [&](EnvRequirement& r) {
    r.one_of = {"debug", "info", "warn"};
  }));
  rb.env.required.push_back(
      requirement("API_TOKEN", [&](EnvRequirement& r) { r.min_length = 32; }));
  for (const char* n : {"STRIPE_KEY", "WEBHOOK_SECRET", "OTHER_SECRET", "EMPTY_QUOTES_SECRET",
                        "TODO_PASSWORD", "REAL_PASSWORD"}) {
    rb.env.required.push_back(requirement(n));
  }
  auto report = check_release_env(rb, "production", {});
  ASSERT_TRUE(report.has_value()) << report.error().message;
  std::set<std::string> bad;
  for (const auto& p : report->problems) bad.insert(p.key);
  EXPECT_EQ(bad,
            (std::set<std::string>{"BAD_URL", "BAD_EMAIL", "BAD_INT", "BAD_BOOL", "BAD_HOST",
                                   "BAD_PORT", "LEVEL", "API_TOKEN", "STRIPE_KEY", "WEBHOOK_SECRET",
                                   "OTHER_SECRET", "EMPTY_QUOTES_SECRET", "TODO_PASSWORD"}))
      << describe(*report);
  EXPECT_EQ(find(report->problems, "LEVEL")->rule, "must be one of: debug, info, warn");
  EXPECT_EQ(find(report->problems, "API_TOKEN")->rule, "is shorter than 32 characters");
  EXPECT_TRUE(report->warnings.empty()) << describe(*report);
}

TEST(CheckReleaseEnv, MissingEnvFileIsAWarningAndUnknownEnvironmentAnError) {
  TempDir dir;
  Runbook rb;
  rb.dir = dir.path();
  Environment prod;
  prod.name = "production";
  prod.env_file = ".env.production";
  rb.environments = {prod};
  rb.env.required = {requirement("API_KEY", [&](EnvRequirement& r) { r.secret = true; })};
  auto report = check_release_env(rb, "production", {{"API_KEY", "k-29dj38fj2k3j4h5"}});
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok());
  ASSERT_EQ(report->warnings.size(), 1u);
  EXPECT_EQ(report->warnings[0].where, ".env.production");

  EXPECT_FALSE(check_release_env(rb, "prodution", {}).has_value());
}

TEST(CheckReleaseEnv, UnparseableEnvFileIsAnErrorNamingFileAndLine) {
  TempDir dir;
  write_portal(dir);
  dir.write(".env.production", "A=1\nSMTP_PASSWORD=\"" + kSmtpPassword + "\n");
  auto report = check_release_env(portal_runbook(dir.path()), "production", {});
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().message, ".env.production:2: unterminated double quote started here");
}

TEST(AddSecrets, RegistersSecretValuesOnly) {
  EnvReport report;
  report.values["SMTP_PASSWORD"] = {kSmtpPassword, ".env", 1};
  report.values["BASE_URL"] = {"https://portal.example.com", ".env", 2};
  report.secret_names = {"SMTP_PASSWORD"};
  Redactor r;
  add_secrets(report, r);
  EXPECT_EQ(r.redact("pw " + kSmtpPassword + " at https://portal.example.com"),
            "pw [REDACTED:SMTP_PASSWORD] at https://portal.example.com");
}

// Sources the rendered file with /bin/sh and prints one variable, as the remote wrapper does.
std::string source_and_print(const std::string& dir, const std::string& key) {
  std::string cmd = "cd '" + dir + "' && /bin/sh -c 'set -a; . ./f; printf %s \"$" + key + "\"'";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return "<popen failed>";
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = pclose(p);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << cmd;
  return out;
}

TEST(RenderEnvFile, ShellReadsBackEveryValueExactly) {
  EnvReport report;
  const std::map<std::string, std::string> values = {
      {"PLAIN", "hello"},
      {"SPACES", "  two  words  "},
      {"QUOTES", "it's \"quoted\" ''"},
      {"SHELLY", "$HOME `id` $(id) \\n \\ ; & | * ? ~ # !"},
      {"MULTI", "-----BEGIN PRIVATE KEY-----\nabc'def\n\n-----END PRIVATE KEY-----\n"},
      {"EMPTY", ""},
      {"ONLY_QUOTE", "'"},
  };
  for (const auto& [k, v] : values) report.values[k] = {v, ".env", 1};
  TempDir dir;
  dir.write("f", render_env_file(report));
  for (const auto& [k, v] : values) {
    EXPECT_EQ(source_and_print(dir.path(), k), v) << k;
  }
}

TEST(FormatEnvProblem, OneLineWithWhereKeyAndRule) {
  EXPECT_EQ(format_env_problem({"SMTP_USER", ".env.production:2", "is empty"}),
            ".env.production:2: SMTP_USER is empty");
  EXPECT_EQ(format_env_problem({"SMPT_HOST", ".env:7", "SMPT_HOST is not declared"}),
            ".env:7: SMPT_HOST is not declared");
  EXPECT_EQ(format_env_problem({"", ".env.production", "env file not found"}),
            ".env.production: env file not found");
  EXPECT_EQ(format_secret_finding({"app.js", 42, "AWS access key id"}),
            "app.js@42: AWS access key id");
}

TEST(ProcessEnvironment, ReadsTheRealEnvironment) {
  setenv("GOLIVE_ENVCHECK_TEST_VAR", "a=b", 1);
  auto env = process_environment();
  EXPECT_EQ(env.at("GOLIVE_ENVCHECK_TEST_VAR"), "a=b");
  unsetenv("GOLIVE_ENVCHECK_TEST_VAR");
}

}  // namespace
}  // namespace golive

namespace golive {
namespace {

// Issue 20 item 7 and 11: values golive cannot carry are refused by name, never quoted, and never
// reach the redactor (a 50 MB secret once took 2.7 GB and ended in a fatal error).
TEST(CheckReleaseEnv, HugeValuesAndNulBytesAreProblemsNamingTheKeyNotTheValue) {
  TempDir dir;
  write_portal(dir);
  const std::string huge(kMaxEnvValueBytes + 1, 'x');
  dir.write(".env.staging", "SMTP_HOST=smtp.staging\nSMTP_USER=staging\nSMTP_PASSWORD=" + huge +
                                "\nSECRET_KEY=ab" + std::string(1, '\0') + "cd-long-enough\n");
  auto report = check_release_env(portal_runbook(dir.path()), "staging", {});
  ASSERT_TRUE(report.has_value()) << report.error().message;
  const std::string all = describe(*report);
  const EnvProblem* big = find(report->problems, "SMTP_PASSWORD");
  ASSERT_NE(big, nullptr) << all;
  EXPECT_NE(big->rule.find("at most 64 KiB"), std::string::npos) << all;
  EXPECT_EQ(big->where, ".env.staging:3");
  const EnvProblem* nul = find(report->problems, "SECRET_KEY");
  ASSERT_NE(nul, nullptr) << all;
  EXPECT_NE(nul->rule.find("NUL byte"), std::string::npos) << all;
  EXPECT_EQ(all.find("xxxxxxxx"), std::string::npos);
  EXPECT_FALSE(report->values.contains("SMTP_PASSWORD"));
  EXPECT_FALSE(report->values.contains("SECRET_KEY"));
}

TEST(CheckReleaseEnv, AnEnvFileOverFourMiBIsRefusedWithoutReadingIt) {
  TempDir dir;
  write_portal(dir);
  dir.write(".env.staging", "SMTP_HOST=" + std::string(5 * 1024 * 1024, 'y') + "\n");
  auto report = check_release_env(portal_runbook(dir.path()), "staging", {});
  ASSERT_FALSE(report.has_value());
  EXPECT_NE(report.error().message.find(".env.staging"), std::string::npos);
  EXPECT_NE(report.error().message.find("limited to 4 MiB"), std::string::npos);
}

}  // namespace
}  // namespace golive
