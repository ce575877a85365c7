// Conveniences for secret-manager CLIs: each only builds the vendor's command line (documented in
// docs/env-and-secrets.md), runs it like a `command:` source and turns its JSON output into
// variables in memory.
#include <algorithm>

#include "golive/interpolate.h"
#include "orchestrator/adapters/json/json_values.h"
#include "orchestrator/secrets/env_sources.h"

namespace golive {
namespace {

bool is_env_name(std::string_view s) {
  if (s.empty() || (s.front() >= '0' && s.front() <= '9')) return false;
  return std::ranges::all_of(s, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

const char* program_of(EnvSourceKind kind) {
  switch (kind) {
    case EnvSourceKind::kOnePassword:
      return "op";
    case EnvSourceKind::kVault:
      return "vault";
    default:
      return "aws";
  }
}

// 1Password: `fields[]` of the item; each field whose label is an env name and whose value is not
// empty becomes a variable (other fields, such as the empty `notesPlain`, are skipped).
Result<DotenvFile> from_onepassword(const std::string& json) {
  auto fields = json_array_objects(json, "/fields");
  if (!fields) return std::unexpected(fields.error());
  DotenvFile file;
  for (const auto& field : *fields) {
    auto label = field.find("label");
    auto value = field.find("value");
    if (label == field.end() || value == field.end() || value->second.empty()) continue;
    if (!is_env_name(label->second)) continue;
    file.entries.push_back({label->second, value->second, 0});
  }
  if (file.entries.empty()) {
    return fail("the item has no field labelled like an environment variable (e.g. DATABASE_URL)");
  }
  return file;
}

// Members of a JSON object, each an env name.
Result<DotenvFile> from_members(const std::string& json, const std::string& pointer) {
  auto members = json_object_members(json, pointer);
  if (!members) return std::unexpected(members.error());
  DotenvFile file;
  for (auto& [key, value] : *members) {
    if (!is_env_name(key)) {
      return fail("key `" + key + "` is not a valid environment variable name");
    }
    file.entries.push_back({std::move(key), std::move(value), 0});
  }
  return file;
}

}  // namespace

std::string vendor_command(const EnvSource& source) {
  switch (source.kind) {
    case EnvSourceKind::kOnePassword:
      return "op item get " + shell_quote(source.item) + " --vault " + shell_quote(source.vault) +
             " --format json";
    case EnvSourceKind::kVault:
      return "vault kv get -format=json " + shell_quote(source.path);
    case EnvSourceKind::kAwsSecrets:
      return "aws secretsmanager get-secret-value --secret-id " + shell_quote(source.secret_id) +
             " --query SecretString --output text";
    default:
      return "";
  }
}

Result<DotenvFile> read_vendor_source(const EnvSource& source, const std::string& label,
                                      const SourceContext& ctx, const Redactor& known) {
  SourceCommand cmd{vendor_command(source), program_of(source.kind), "", source.timeout};
  auto out = run_source_command(cmd, label, ctx, known);
  if (!out) return std::unexpected(out.error());
  Result<DotenvFile> file = fail("");
  switch (source.kind) {
    case EnvSourceKind::kOnePassword:
      file = from_onepassword(*out);
      break;
    case EnvSourceKind::kVault:
      // KV version 2 nests the secret under data.data (next to data.metadata); version 1 does not.
      file = json_has(*out, "/data/metadata") ? from_members(*out, "/data/data")
                                              : from_members(*out, "/data");
      break;
    default:
      // SecretString: the secret as a JSON object of NAME: value.
      file = from_members(*out, "");
      break;
  }
  if (!file) return fail(label + ": " + file.error().message, ExitCode::kPreflight);
  return file;
}

}  // namespace golive
