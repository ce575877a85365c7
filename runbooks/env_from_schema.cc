#include "runbooks/env_from_schema.h"

#include <algorithm>
#include <array>
#include <set>
#include <string_view>

#include "runbooks/suggest.h"
#include "runbooks/yaml_reader.h"

namespace golive {
namespace {

template <std::size_t N>
using Keys = std::array<std::string_view, N>;

constexpr Keys<7> kKinds{
    "file", "age", "command", "values", "onepassword", "vault", "aws_secrets_manager"};
constexpr Keys<9> kSourceKeys{
    "file",     "age",    "command", "values", "onepassword", "vault", "aws_secrets_manager",
    "identity", "timeout"};
constexpr Keys<2> kOnePasswordKeys{"vault", "item"};
constexpr Keys<1> kVaultKeys{"path"};
constexpr Keys<1> kAwsKeys{"secret_id"};

bool is_identifier(std::string_view s) {
  if (s.empty() || (s.front() >= '0' && s.front() <= '9')) return false;
  return std::ranges::all_of(s, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

EnvSourceKind kind_of(std::string_view key) {
  if (key == "file") return EnvSourceKind::kFile;
  if (key == "age") return EnvSourceKind::kAge;
  if (key == "command") return EnvSourceKind::kCommand;
  if (key == "values") return EnvSourceKind::kValues;
  if (key == "onepassword") return EnvSourceKind::kOnePassword;
  if (key == "vault") return EnvSourceKind::kVault;
  return EnvSourceKind::kAwsSecrets;
}

class EnvFromReader {
 public:
  explicit EnvFromReader(Diagnostics& d) : d_(d) {}

  void read_item(const YamlNode& item, const std::string& path, EnvSource& src) {
    const auto f = read_fields(item, path, kSourceKeys, d_);
    if (!f) return;
    const YamlEntry* kind = nullptr;
    for (const auto* e : f->in_order()) {
      if (std::ranges::find(kKinds, std::string_view(e->key)) == kKinds.end()) continue;
      if (kind != nullptr) {
        d_.error(e->key_pos, child_path(path, e->key),
                 "one source per entry: `" + kind->key + "` and `" + e->key +
                     "` are both set; make them two entries of env_from");
        return;
      }
      kind = e;
    }
    if (kind == nullptr) {
      d_.error(item.pos, path,
               "an env_from entry needs one of file, age, command, values, onepassword, vault, "
               "aws_secrets_manager");
      return;
    }
    src.kind = kind_of(kind->key);
    const std::string p = child_path(path, kind->key);
    switch (src.kind) {
      case EnvSourceKind::kFile:
      case EnvSourceKind::kAge:
        if (auto s = read_string(kind->value, p, d_)) src.path = std::move(*s);
        break;
      case EnvSourceKind::kCommand:
        src.command = read_command(kind->value, p);
        break;
      case EnvSourceKind::kValues:
        read_values(kind->value, p, src);
        break;
      case EnvSourceKind::kOnePassword:
        if (const auto g = read_fields(kind->value, p, kOnePasswordKeys, d_)) {
          src.vault = required(*g, "vault", kind->value.pos, p);
          src.item = required(*g, "item", kind->value.pos, p);
        }
        break;
      case EnvSourceKind::kVault:
        if (const auto g = read_fields(kind->value, p, kVaultKeys, d_)) {
          src.path = required(*g, "path", kind->value.pos, p);
        }
        break;
      case EnvSourceKind::kAwsSecrets:
        if (const auto g = read_fields(kind->value, p, kAwsKeys, d_)) {
          src.secret_id = required(*g, "secret_id", kind->value.pos, p);
        }
        break;
    }
    read_options(*f, path, src);
  }

 private:
  void read_options(const Fields& f, const std::string& path, EnvSource& src) {
    if (const auto* e = f.get("identity")) {
      const std::string p = child_path(path, "identity");
      if (src.kind != EnvSourceKind::kAge) {
        d_.error(e->key_pos, p, "`identity` belongs to an `age:` source");
      } else if (auto s = read_string(e->value, p, d_)) {
        if (s->starts_with("AGE-SECRET-KEY-")) {
          // Never echo it: the diagnostic is printed and may be logged.
          d_.error(e->value.pos, p,
                   "`identity` is the path of an identity file, not the key itself; keep the key "
                   "out of golive.yml (a file, or GOLIVE_AGE_IDENTITY)");
        } else {
          src.identity = std::move(*s);
        }
      }
    }
    if (const auto* e = f.get("timeout")) {
      const std::string p = child_path(path, "timeout");
      if (src.kind == EnvSourceKind::kFile) {
        d_.error(e->key_pos, p, "`timeout` applies to sources that run a command, not `file:`");
      } else if (auto d = read_duration(e->value, p, d_)) {
        if (d->count() <= 0) {
          d_.error(e->value.pos, p, "timeout must be longer than 0s");
        } else {
          src.timeout = *d;
        }
      }
    }
  }

  std::string read_command(const YamlNode& node, const std::string& path) {
    auto s = read_string(node, path, d_);
    if (!s) return {};
    if (s->find("{{") != std::string::npos) {
      d_.error(node.pos, path, "env_from commands are run as written: `{{` is not expanded here");
    }
    return std::move(*s);
  }

  void read_values(const YamlNode& node, const std::string& path, EnvSource& src) {
    const auto entries = read_entries(node, path, d_, "variable");
    if (!entries) return;
    if (entries->empty()) d_.error(node.pos, path, "`values` lists no variables");
    for (const auto* e : *entries) {
      const std::string p = child_path(path, e->key);
      if (!is_identifier(e->key)) {
        d_.error(e->key_pos, p,
                 "`" + e->key +
                     "` is not a valid environment variable name (letters, digits, "
                     "`_`, not a digit first)");
      }
      std::string command = read_command(e->value, p);
      if (!command.empty()) src.values.emplace_back(e->key, std::move(command));
    }
  }

  std::string required(const Fields& f, std::string_view key, SourcePos parent,
                       const std::string& path) {
    const auto* e = f.get(key);
    if (e == nullptr) {
      d_.error(parent, child_path(path, key), "missing required key `" + std::string(key) + "`");
      return {};
    }
    auto s = read_string(e->value, child_path(path, key), d_);
    return s ? std::move(*s) : std::string();
  }

  Diagnostics& d_;
};

}  // namespace

void read_env_from(const YamlNode& node, const std::string& path, Environment& env,
                   Diagnostics& diags) {
  const auto* items = read_list(node, path, diags);
  if (items == nullptr) return;
  EnvFromReader reader(diags);
  for (std::size_t i = 0; i < items->size(); ++i) {
    EnvSource src;
    src.pos = (*items)[i].pos;
    reader.read_item((*items)[i], item_path(path, i), src);
    env.env_from.push_back(std::move(src));
  }
}

}  // namespace golive
