// env_from: dispatch to one reader per source kind, plus the two simplest kinds (`file:`,
// `command:`/`values:`). Age files and vendor CLIs have their own files.
#include "orchestrator/secrets/env_sources.h"

#include <filesystem>

namespace golive {

std::string source_label(const EnvSource& source, std::size_t index) {
  std::string out = "env_from[" + std::to_string(index) + "] ";
  switch (source.kind) {
    case EnvSourceKind::kFile:
      return out + "file " + source.path;
    case EnvSourceKind::kAge:
      return out + "age " + source.path;
    case EnvSourceKind::kCommand: {
      // The program only: a command line is the runbook author's, but need not be shown whole.
      std::string program = source.command.substr(0, source.command.find_first_of(" \t\n"));
      return out + "command " + program;
    }
    case EnvSourceKind::kValues:
      return out + "values";
    case EnvSourceKind::kOnePassword:
      return out + "onepassword " + source.vault + "/" + source.item;
    case EnvSourceKind::kVault:
      return out + "vault " + source.path;
    case EnvSourceKind::kAwsSecrets:
      return out + "aws_secrets_manager " + source.secret_id;
  }
  return out;
}

Result<LoadedSource> load_env_source(const EnvSource& source, std::size_t index,
                                     const SourceContext& ctx, const Redactor& known) {
  LoadedSource loaded{source_label(source, index), {}};
  Result<DotenvFile> file = fail("unknown source kind");
  switch (source.kind) {
    case EnvSourceKind::kFile:
      file = read_file_source(source, loaded.label, ctx);
      break;
    case EnvSourceKind::kAge:
      file = read_age_source(source, loaded.label, ctx, known);
      break;
    case EnvSourceKind::kCommand:
      file = read_command_source(source, loaded.label, ctx, known);
      break;
    case EnvSourceKind::kValues:
      file = read_values_source(source, loaded.label, ctx, known);
      break;
    case EnvSourceKind::kOnePassword:
    case EnvSourceKind::kVault:
    case EnvSourceKind::kAwsSecrets:
      file = read_vendor_source(source, loaded.label, ctx, known);
      break;
  }
  // Whatever went wrong, the release stops before any host is touched.
  if (!file) return fail(file.error().message, ExitCode::kPreflight);
  loaded.entries = std::move(file->entries);
  return loaded;
}

Result<DotenvFile> read_file_source(const EnvSource& source, const std::string& label,
                                    const SourceContext& ctx) {
  const std::string path = source_path(ctx, source.path);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return fail(label + ": file not found");
  return load_dotenv_file(path, label, ctx.process_env);
}

Result<DotenvFile> read_command_source(const EnvSource& source, const std::string& label,
                                       const SourceContext& ctx, const Redactor& known) {
  SourceCommand cmd{source.command, "", "", source.timeout};
  auto out = run_source_command(cmd, label, ctx, known);
  if (!out) return std::unexpected(out.error());
  return parse_dotenv(*out, label + " (stdout)", ctx.process_env);
}

Result<DotenvFile> read_values_source(const EnvSource& source, const std::string& label,
                                      const SourceContext& ctx, const Redactor& known) {
  DotenvFile file;
  Redactor seen(known);
  for (const auto& [name, command] : source.values) {
    SourceCommand cmd{command, "", "", source.timeout};
    auto out = run_source_command(cmd, label + " " + name, ctx, seen);
    if (!out) return std::unexpected(out.error());
    std::string value = std::move(*out);
    // Like $(command): the final newline is the command's, not the value's.
    if (value.ends_with('\n')) value.pop_back();
    if (value.ends_with('\r')) value.pop_back();
    seen.add(name, value);
    file.entries.push_back({name, std::move(value), 0});
  }
  return file;
}

}  // namespace golive
