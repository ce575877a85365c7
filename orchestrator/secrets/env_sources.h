// `env_from` sources: dotenv and age-encrypted files, commands and secret-manager CLIs, each read
// into memory only. A source that cannot be read stops the release (exit 3) naming the source,
// never printing what it wrote to stdout; its stderr is shown redacted.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "golive/error.h"
#include "golive/local_process.h"
#include "golive/redactor.h"
#include "golive/runbook.h"
#include "orchestrator/secrets/dotenv.h"

namespace golive {

// What one source provided, in its order.
struct LoadedSource {
  std::string label;  // "env_from[1] age secrets/production.env.age" (names only, no values)
  std::vector<DotenvEntry> entries;
};

// What the sources need from the world: the runbook (for relative paths), the process
// environment (PATH, GOLIVE_AGE_IDENTITY, ${VAR} in dotenv text) and the local process runner.
struct SourceContext {
  const Runbook& runbook;
  const std::map<std::string, std::string>& process_env;
  LocalProcess* local = nullptr;  // null: sources that run a command fail (exit 3)
};

// The name of source `index` of env_from in messages and `golive check` (no value, no command).
std::string source_label(const EnvSource& source, std::size_t index);

// Loads `source`. `known` redacts values read so far out of a failing command's stderr.
Result<LoadedSource> load_env_source(const EnvSource& source, std::size_t index,
                                     const SourceContext& ctx, const Redactor& known);

// --- one function per source kind (env_sources.cc dispatches) ---

// `file:` a dotenv file.
Result<DotenvFile> read_file_source(const EnvSource& source, const std::string& label,
                                    const SourceContext& ctx);
// `age:` an age-encrypted dotenv, decrypted by the `age` CLI into memory.
Result<DotenvFile> read_age_source(const EnvSource& source, const std::string& label,
                                   const SourceContext& ctx, const Redactor& known);
// `command:` a command whose stdout is a dotenv.
Result<DotenvFile> read_command_source(const EnvSource& source, const std::string& label,
                                       const SourceContext& ctx, const Redactor& known);
// `values:` one command per value; its stdout, without the final newline, is the value.
Result<DotenvFile> read_values_source(const EnvSource& source, const std::string& label,
                                      const SourceContext& ctx, const Redactor& known);
// `onepassword:`, `vault:`, `aws_secrets_manager:` through their vendor's CLI.
Result<DotenvFile> read_vendor_source(const EnvSource& source, const std::string& label,
                                      const SourceContext& ctx, const Redactor& known);

// The exact command line a vendor convenience runs (documented in docs/env-and-secrets.md).
std::string vendor_command(const EnvSource& source);

// --- running a source's command (source_command.cc) ---

struct SourceCommand {
  std::string command;     // for /bin/sh -c; never holds a secret
  std::string program;     // checked on PATH first when not empty ("age", "op", ...)
  std::string stdin_data;  // e.g. an age identity; never on a command line
  Millis timeout{30'000};
};

// Runs `cmd` and returns its stdout, kept in memory. Missing program, non-zero exit, timeout:
// an error (exit 3) "label: ..." with the tail of stderr redacted by `known` and by every line
// of the failed command's own stdout.
Result<std::string> run_source_command(const SourceCommand& cmd, const std::string& label,
                                       const SourceContext& ctx, const Redactor& known);

// `path` relative to the runbook's directory (absolute paths and `~/` as given / from HOME).
std::string source_path(const SourceContext& ctx, const std::string& path);

}  // namespace golive
