// Release environment: load the env file and process environment, check completeness and
// well-formedness, and scan the build output for leaked secrets — all before any host is touched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "golive/error.h"
#include "golive/redactor.h"
#include "golive/runbook.h"

namespace golive {

// Largest env value golive accepts (a private key or a certificate chain fits easily).
inline constexpr std::size_t kMaxEnvValueBytes = 64 * 1024;

struct EnvValue {
  std::string value;
  std::string source;  // file path, or "process environment"
  int line = 0;        // 0 for the process environment
};

// One broken rule; never contains a secret value.
struct EnvProblem {
  std::string key;
  std::string where;  // file:line, or "process environment", or "(missing)"
  std::string rule;   // e.g. "required but missing", "does not match pattern ^postgres://"
};

struct EnvReport {
  std::map<std::string, EnvValue> values;  // the release's environment, merged by precedence
  std::vector<EnvProblem> problems;        // blocking
  std::vector<EnvProblem> warnings;        // e.g. undeclared keys (typos)
  std::vector<std::string> secret_names;   // keys treated as secrets
  bool ok() const { return problems.empty(); }
};

// Loads and checks the environment `env_name` of the runbook. `process_env` is the process
// environment (injected so tests need not mutate it). Errors only for unreadable/unparseable input.
Result<EnvReport> check_release_env(const Runbook& runbook, const std::string& env_name,
                                    const std::map<std::string, std::string>& process_env);

// Registers every secret of the report with the redactor.
void add_secrets(const EnvReport& report, Redactor& redactor);

// Renders the env file delivered to <path>/shared/.env (dotenv, values single-quoted).
std::string render_env_file(const EnvReport& report);

struct SecretFinding {
  std::string file;  // relative to the scanned directory
  std::uint64_t offset = 0;
  std::string what;  // "value of SMTP_PASSWORD (base64)", "AWS access key", ...
};

// Scans every file under `dir` in one multi-pattern pass for secret values (raw, base64,
// URL-encoded) and well-known key shapes.
Result<std::vector<SecretFinding>> scan_for_secrets(const std::string& dir,
                                                    const EnvReport& report);

// One line for humans: "where: KEY rule" (".env.production:3: SMTP_USER is empty").
std::string format_env_problem(const EnvProblem& problem);

// One line for humans: "file@offset: what" ("app.js@1042: value of SMTP_PASSWORD (base64)").
std::string format_secret_finding(const SecretFinding& finding);

// The process environment as a map.
std::map<std::string, std::string> process_environment();

}  // namespace golive
