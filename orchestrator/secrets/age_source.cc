// `age:` sources: an age-encrypted dotenv decrypted by Debian's `age` CLI (1.1) through the
// LocalProcess adapter. The plaintext exists only in this process's memory: age writes it to a
// pipe, never to a file. The identity is a file path (`identity:` or GOLIVE_AGE_IDENTITY), or the
// AGE-SECRET-KEY-... itself in GOLIVE_AGE_IDENTITY, which is then fed to `age -i -` on stdin so it
// never appears on a command line.
//
// Why the CLI and not a library: Debian 12 packages no C/C++ age implementation (only the Go
// and Rust sources), and age's format (X25519 + ChaCha20-Poly1305 STREAM, scrypt) would otherwise
// be hand-written crypto; the CLI is the reference implementation users already have.
#include <filesystem>

#include "golive/interpolate.h"
#include "golive/shell_quote.h"
#include "orchestrator/secrets/env_sources.h"

namespace golive {

Result<DotenvFile> read_age_source(const EnvSource& source, const std::string& label,
                                   const SourceContext& ctx, const Redactor& known) {
  namespace fs = std::filesystem;
  const std::string path = source_path(ctx, source.path);
  std::error_code ec;
  if (!fs::exists(path, ec)) return fail(label + ": encrypted file not found");

  std::string identity;
  std::string named_by = "`identity:`";
  if (auto it = ctx.process_env.find("GOLIVE_AGE_IDENTITY");
      it != ctx.process_env.end() && !it->second.empty()) {
    identity = it->second;
    named_by = "GOLIVE_AGE_IDENTITY";
  } else {
    identity = source.identity.empty() ? "" : source_path(ctx, source.identity);
  }
  if (identity.empty()) {
    return fail(label +
                ": no age identity: set GOLIVE_AGE_IDENTITY (a key file, or the key) or "
                "`identity:` on the source");
  }

  SourceCommand cmd;
  cmd.program = "age";
  cmd.timeout = source.timeout;
  // Key material (AGE-SECRET-KEY-..., a plugin identity, a whole key file) goes to stdin.
  if (identity.starts_with("AGE-") || identity.find('\n') != std::string::npos) {
    cmd.command = "age --decrypt --identity - -- " + shell_quote(path);
    cmd.stdin_data = identity + "\n";
  } else {
    if (!fs::exists(identity, ec)) {
      return fail(label + ": the age identity file named by " + named_by + " does not exist");
    }
    cmd.command = "age --decrypt --identity " + shell_quote(identity) + " -- " + shell_quote(path);
  }
  Redactor redactor(known);
  redactor.add("GOLIVE_AGE_IDENTITY", identity);
  auto out = run_source_command(cmd, label, ctx, redactor);
  if (!out) return std::unexpected(out.error());
  return parse_dotenv(*out, label, ctx.process_env);
}

}  // namespace golive
