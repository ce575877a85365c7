// Conveniences for secret-manager CLIs: each only builds the vendor's command line (documented in
// docs/env-and-secrets.md), runs it like a `command:` source and turns its JSON output into
// variables in memory.
#include <algorithm>
#include <optional>

#include "golive/interpolate.h"
#include "golive/shell_quote.h"
#include "orchestrator/adapters/json/json.h"
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

// The parsed output; the parser's own message is not passed on, as it may quote the text.
Result<Json> parse_output(const std::string& text) {
  auto json = Json::parse(text);
  if (!json) return fail("the output is not valid JSON");
  return json;
}

// A scalar as a value: strings as they are, numbers and booleans as JSON text; else nullopt.
std::optional<std::string> scalar(const Json& v) {
  if (v.is_string()) return v.as_string();
  if (v.is_number() || v.is_bool()) return v.dump();
  return std::nullopt;
}

// 1Password: `fields[]` of the item; each field whose label is an env name and whose value is not
// empty becomes a variable (other fields, such as the empty `notesPlain`, are skipped).
Result<DotenvFile> from_onepassword(const Json& json) {
  const Json* fields = json.find("fields");
  if (fields == nullptr || !fields->is_array()) return fail("the JSON output has no fields list");
  DotenvFile file;
  for (const auto& field : fields->elements()) {
    const Json* label = field.find("label");
    const Json* value = field.find("value");
    if (label == nullptr || value == nullptr || !label->is_string()) continue;
    auto text = scalar(*value);
    if (!text || text->empty() || !is_env_name(label->as_string())) continue;
    file.entries.push_back({label->as_string(), std::move(*text), 0});
  }
  if (file.entries.empty()) {
    return fail("the item has no field labelled like an environment variable (e.g. DATABASE_URL)");
  }
  return file;
}

// The scalar members of an object, each key an env name (nested values and nulls skipped).
Result<DotenvFile> from_members(const Json* object, const std::string& what) {
  if (object == nullptr || !object->is_object()) {
    return fail("the JSON output's " + what + " is not an object");
  }
  DotenvFile file;
  for (const auto& [key, value] : object->members()) {
    auto text = scalar(value);
    if (!text) continue;
    if (!is_env_name(key)) {
      return fail("key `" + key + "` is not a valid environment variable name");
    }
    file.entries.push_back({key, std::move(*text), 0});
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
  auto json = parse_output(*out);
  Result<DotenvFile> file = fail("");
  if (!json) {
    file = std::unexpected(json.error());
  } else if (source.kind == EnvSourceKind::kOnePassword) {
    file = from_onepassword(*json);
  } else if (source.kind == EnvSourceKind::kVault) {
    // KV version 2 nests the secret under data.data (next to data.metadata); version 1 does not.
    const Json* data = json->find("data");
    const bool v2 = data != nullptr && data->contains("metadata");
    file = v2 ? from_members(data->find("data"), "data.data") : from_members(data, "data");
  } else {
    // SecretString: the secret as a JSON object of NAME: value.
    file = from_members(&*json, "secret string");
  }
  if (!file) return fail(label + ": " + file.error().message, ExitCode::kPreflight);
  return file;
}

}  // namespace golive
