#include "runbooks/runbook_schema.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <climits>
#include <map>
#include <set>

#include "golive/jump_spec.h"
#include "orchestrator/adapters/regex/regex.h"
#include "runbooks/env_from_schema.h"
#include "runbooks/launch_schema.h"
#include "runbooks/suggest.h"
#include "runbooks/yaml_reader.h"

namespace golive {
namespace {

using namespace std::chrono_literals;

template <std::size_t N>
using Keys = std::array<std::string_view, N>;

constexpr Keys<16> kTopKeys{"version", "app",      "budget", "environments", "env",  "release",
                            "build",   "artifact", "steps",  "rollback",     "gate", "checks",
                            "notify",  "ledger",   "launch", "upload"};
constexpr Keys<9> kEnvironmentKeys{"hosts", "env_file", "env_from", "known_hosts", "strategy",
                                   "vars",  "launch",   "confirm",  "jump"};
constexpr Keys<6> kHostKeys{"name", "address", "user", "port", "identity_file", "jump"};
constexpr Keys<6> kStrategyKeys{"parallel", "batch",       "max_fail",
                                "canary",   "canary_gate", "gate_each_batch"};
constexpr Keys<1> kCanaryGateKeys{"window"};
constexpr Keys<4> kEnvSpecKeys{"example", "required", "secrets", "public"};
constexpr Keys<11> kRequirementKeys{"name",       "pattern", "type",          "one_of",
                                    "min_length", "secret",  "distinct_from", "owner",
                                    "scope",      "rotated", "stored_in"};
constexpr Keys<6> kEnvTypes{"url", "email", "port", "int", "bool", "hostname"};
constexpr Keys<3> kReleaseKeys{"path", "keep", "shared"};
constexpr Keys<2> kUploadKeys{"compress", "reuse"};
constexpr Keys<3> kCompressModes{"auto", "zstd", "none"};
constexpr Keys<2> kReuseModes{"link", "copy"};
constexpr Keys<4> kBuildKeys{"name", "local", "timeout", "env"};
constexpr Keys<9> kStepKeys{"name", "run",  "upload",  "switch", "local",
                            "undo", "once", "timeout", "env"};
constexpr Keys<4> kStepKinds{"run", "upload", "switch", "local"};
constexpr Keys<2> kBudgetKeys{"rollback", "deploy"};
constexpr Keys<5> kGateKeys{"window", "interval", "consecutive", "timeout", "fail_after"};
constexpr Keys<9> kCheckKeys{"name",    "http", "login",  "private_cache", "email",
                             "command", "tls",  "access", "prometheus"};
constexpr Keys<7> kPrometheusKeys{"url", "query", "success", "min", "max", "for", "ca_file"};
constexpr Keys<16> kHttpKeys{"method",       "url",           "headers",       "body",
                             "form",         "json",          "follow",        "status",
                             "header_match", "header_absent", "body_contains", "body_regex",
                             "max_latency",  "session",       "ca_file",       "insecure"};
constexpr Keys<7> kHttpMethods{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
constexpr Keys<8> kLoginKeys{"url",  "user",    "password", "user_field", "password_field",
                             "then", "ca_file", "cookie"};
constexpr Keys<5> kPrivateCacheKeys{"url", "session", "static_urls", "static_min_max_age",
                                    "ca_file"};
constexpr Keys<9> kEmailKeys{"smtp",     "to",          "from",    "user",   "password",
                             "starttls", "trigger_url", "session", "ca_file"};
constexpr Keys<4> kCommandKeys{"run", "local", "exit", "output"};
constexpr Keys<3> kTlsKeys{"url", "ca_file", "min_days"};
constexpr Keys<3> kNotifyKeys{"webhook", "command", "on"};
// `started` (with the diff summary) is opt-in: it is not among the defaults below.
constexpr Keys<7> kNotifyEvents{"started",  "succeeded",       "failed",     "rolled_back",
                                "rollback", "rollback_failed", "lock_broken"};
constexpr Keys<3> kReservedVars{"env", "host", "release"};

constexpr unsigned kStepScopes = kScopeEnv | kScopeHost | kScopeRelease;
constexpr unsigned kCheckScopes = kScopeEnv | kScopeHost;

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Environment and host names end up in paths and file names: keep them boring.
bool is_safe_name(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || s.size() > 64) return false;
  return std::ranges::all_of(
      s, [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; });
}

// Environment variable and vars names.
bool is_identifier(std::string_view s) {
  if (s.empty() || (s.front() >= '0' && s.front() <= '9')) return false;
  return std::ranges::all_of(s, [](char c) { return is_alnum(c) || c == '_'; });
}

bool has_dotdot(std::string_view path) {
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (path.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

bool is_template(std::string_view s) {
  return s.find("{{") != std::string_view::npos;
}

std::string at_line(SourcePos pos) {
  return "line " + std::to_string(pos.line) + ":" + std::to_string(pos.col);
}

class SchemaReader {
 public:
  explicit SchemaReader(Diagnostics& diags) : d_(diags) {}

  ParsedRunbook read(const YamlNode& root) {
    if (root.is_null()) {
      d_.error(SourcePos{1, 1}, "", "the runbook is empty: it must start with `version: 1`");
      out_.fatal = true;
      return std::move(out_);
    }
    if (!root.is_map()) {
      d_.error(root.pos, "",
               "expected a mapping of keys (version, app, environments, ...), got " +
                   std::string(describe(root)));
      out_.fatal = true;
      return std::move(out_);
    }
    // The version decides which keys exist, so it is read before any key is judged.
    if (!read_version(root)) {
      out_.fatal = true;
      return std::move(out_);
    }
    const auto top = read_fields(root, "", kTopKeys, d_);
    if (!top) {
      out_.fatal = true;
      return std::move(out_);
    }
    Runbook& rb = out_.runbook;
    if (const auto* e = required(*top, "app", root.pos, "")) {
      if (auto app = read_string(e->value, "app", d_)) {
        if (!is_safe_name(*app)) {
          d_.error(e->value.pos, "app",
                   "app name `" + *app + "` must be letters, digits, `_`, `.` or `-`");
        }
        rb.app = std::move(*app);
      }
    }
    if (const auto* e = top->get("budget")) read_budget(e->value);
    if (const auto* e = required(*top, "environments", root.pos, "")) read_environments(*e);
    if (const auto* e = top->get("env")) read_env_spec(e->value);
    if (const auto* e = required(*top, "release", root.pos, "")) read_release(*e);
    if (const auto* e = top->get("build")) read_build(e->value);
    if (const auto* e = top->get("artifact")) {
      if (auto a = read_string(e->value, "artifact", d_)) {
        check_relative(*a, e->value.pos, "artifact");
        rb.artifact = std::move(*a);
      }
    }
    if (const auto* e = top->get("ledger")) read_ledger(e->value);
    if (const auto* e = top->get("upload")) read_upload(e->value);
    if (const auto* e = required(*top, "steps", root.pos, "")) read_steps(e->value);
    if (const auto* e = top->get("rollback")) read_rollback(e->value);
    if (const auto* e = top->get("gate")) read_gate(e->value);
    if (const auto* e = top->get("checks")) read_checks(e->value);
    if (const auto* e = top->get("notify")) read_notify(e->value);
    if (const auto* e = top->get("launch")) {
      read_launch(e->value, "launch", rb.launch, out_.templates, d_);
    }
    resolve_access_checks();
    check_sessions();
    return std::move(out_);
  }

 private:
  // Reports a missing required key at its parent's position.
  // A step-like item's position and `name` (required, unique among `seen`; `what` names the
  // list in messages): shared by steps and rollback steps, which differ in the kinds they allow.
  Step named_step(const Fields& fields, const YamlNode& item, const std::string& path,
                  std::map<std::string, SourcePos>& seen, const std::string& what) {
    Step step;
    step.pos = item.pos;
    if (const auto* e = required(fields, "name", item.pos, path)) {
      if (auto s = read_string(e->value, child_path(path, "name"), d_)) {
        step.name = std::move(*s);
        note_unique(seen, step.name, e->value.pos, child_path(path, "name"), what);
      }
    }
    return step;
  }

  const YamlEntry* required(const Fields& fields, std::string_view key, SourcePos parent_pos,
                            const std::string& parent_path) {
    const auto* e = fields.get(key);
    if (e == nullptr) {
      d_.error(parent_pos, child_path(parent_path, key),
               "missing required key `" + std::string(key) + "`");
    }
    return e;
  }

  void tmpl(const std::string& text, SourcePos pos, std::string path, unsigned scopes) {
    if (is_template(text)) out_.templates.push_back({text, pos, std::move(path), scopes});
  }

  // Reads a string that is a template; returns "" when absent or invalid.
  std::string read_template(const Fields& f, std::string_view key, const std::string& parent,
                            unsigned scopes) {
    const auto* e = f.get(key);
    if (e == nullptr) return {};
    const std::string path = child_path(parent, key);
    auto s = read_string(e->value, path, d_);
    if (!s) return {};
    tmpl(*s, e->value.pos, path, scopes);
    return std::move(*s);
  }

  // A plain (non-template) string field; returns "" when absent or invalid.
  // `jump`: one bastion `[user@]host[:port]`, or `none` (no jump, whatever the ssh config says).
  std::string read_jump(const Fields& f, const std::string& parent) {
    const auto* e = f.get("jump");
    if (e == nullptr) return {};
    auto s = read_string(e->value, child_path(parent, "jump"), d_);
    if (!s || *s == "none") return s ? std::move(*s) : std::string();
    if (auto spec = parse_jump_spec(*s); !spec) {
      d_.error(e->value.pos, child_path(parent, "jump"), spec.error().message);
    }
    return std::move(*s);
  }

  std::string read_plain(const Fields& f, std::string_view key, const std::string& parent) {
    const auto* e = f.get(key);
    if (e == nullptr) return {};
    auto s = read_string(e->value, child_path(parent, key), d_);
    return s ? std::move(*s) : std::string();
  }

  void check_relative(const std::string& p, SourcePos pos, const std::string& path) {
    if (p.starts_with('/') || has_dotdot(p)) {
      d_.error(pos, path, "`" + p + "` must be a relative path without `..`");
    }
  }

  void check_regex(const std::string& pattern, SourcePos pos, const std::string& path) {
    const auto re = Regex::compile(pattern);
    if (!re) d_.error(pos, path, "invalid regular expression: " + re.error().message);
  }

  bool read_version(const YamlNode& root) {
    const auto it = std::ranges::find(root.entries, std::string("version"), &YamlEntry::key);
    const YamlEntry* e = it == root.entries.end() ? nullptr : &*it;
    if (e == nullptr) {
      d_.error(root.pos, "version",
               "missing required key `version` (add `version: " +
                   std::to_string(kRunbookSchemaVersion) + "` at the top)");
      return true;
    }
    const auto v = e->value.is_scalar() ? parse_integer(e->value.scalar) : std::nullopt;
    if (!v || *v < 1) {
      d_.error(e->value.pos, "version",
               "expected a schema version number such as " + std::to_string(kRunbookSchemaVersion));
      return true;
    }
    if (*v > kRunbookSchemaVersion) {
      // A newer schema may have keys this binary does not know: one clear error, nothing else.
      d_.error(e->value.pos, "version",
               "runbook schema version " + e->value.scalar +
                   " is newer than this golive supports (" + std::to_string(kRunbookSchemaVersion) +
                   "); upgrade golive");
      return false;
    }
    out_.runbook.version = static_cast<int>(*v);
    return true;
  }

  void read_budget(const YamlNode& node) {
    const auto f = read_fields(node, "budget", kBudgetKeys, d_);
    if (!f) return;
    if (const auto* e = f->get("rollback")) {
      if (auto v = read_duration(e->value, "budget.rollback", d_))
        out_.runbook.budget.rollback = *v;
    }
    if (const auto* e = f->get("deploy")) {
      if (auto v = read_duration(e->value, "budget.deploy", d_)) out_.runbook.budget.deploy = *v;
    }
  }

  void read_environments(const YamlEntry& entry) {
    const auto entries = read_entries(entry.value, "environments", d_, "environment");
    if (!entries) return;
    if (entries->empty()) {
      d_.error(entry.value.pos, "environments", "no environments defined");
      return;
    }
    for (const auto* e : *entries) {
      const std::string path = child_path("environments", e->key);
      Environment env;
      env.name = e->key;
      env.pos = e->key_pos;
      if (!is_safe_name(env.name)) {
        d_.error(e->key_pos, path,
                 "environment name `" + env.name + "` must be letters, digits, `_`, `.` or `-`");
      }
      read_environment(e->value, path, env);
      env_names_.push_back(env.name);
      out_.runbook.environments.push_back(std::move(env));
    }
  }

  void read_environment(const YamlNode& node, const std::string& path, Environment& env) {
    const auto f = read_fields(node, path, kEnvironmentKeys, d_);
    if (!f) return;
    if (const auto* e = f->get("hosts")) {
      read_hosts(e->value, child_path(path, "hosts"), env);
    } else {
      d_.error(env.pos, child_path(path, "hosts"), "environment `" + env.name + "` has no hosts");
    }
    env.env_file = read_plain(*f, "env_file", path);
    read_bool_field(*f, "confirm", path, env.confirm);
    if (const auto* e = f->get("env_from")) {
      read_env_from(e->value, child_path(path, "env_from"), env, d_);
    }
    env.known_hosts = read_plain(*f, "known_hosts", path);
    env.jump = read_jump(*f, path);
    for (auto& host : env.hosts) {
      if (host.jump.empty()) host.jump = env.jump;
    }
    if (const auto* e = f->get("strategy")) {
      read_strategy(e->value, child_path(path, "strategy"), env.strategy);
    }
    if (const auto* e = f->get("vars")) read_vars(e->value, child_path(path, "vars"), env);
    if (const auto* e = f->get("launch")) {
      read_launch(e->value, child_path(path, "launch"), env.launch, out_.templates, d_);
    }
  }

  void read_hosts(const YamlNode& node, const std::string& path, Environment& env) {
    const auto* items = read_list(node, path, d_);
    if (items == nullptr) return;
    if (items->empty()) {
      d_.error(node.pos, path, "environment `" + env.name + "` has no hosts");
      return;
    }
    std::map<std::string, SourcePos> seen;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const auto& item = (*items)[i];
      const std::string ip = item_path(path, i);
      const auto f = read_fields(item, ip, kHostKeys, d_);
      if (!f) continue;
      Host host;
      host.pos = item.pos;
      if (const auto* e = required(*f, "name", item.pos, ip)) {
        if (auto name = read_string(e->value, child_path(ip, "name"), d_)) {
          if (!is_safe_name(*name)) {
            d_.error(e->value.pos, child_path(ip, "name"),
                     "host name `" + *name + "` must be letters, digits, `_`, `.` or `-`");
          }
          const auto [it, inserted] = seen.emplace(*name, e->value.pos);
          if (!inserted) {
            d_.error(e->value.pos, child_path(ip, "name"),
                     "duplicate host name `" + *name + "` (first at " + at_line(it->second) + ")");
          }
          host.name = std::move(*name);
        }
      }
      if (const auto* e = required(*f, "address", item.pos, ip)) {
        if (auto address = read_string(e->value, child_path(ip, "address"), d_)) {
          if (address->find_first_of(" \t/") != std::string::npos) {
            d_.error(e->value.pos, child_path(ip, "address"),
                     "address `" + *address + "` must be a host name or IP address");
          }
          host.address = std::move(*address);
        }
      }
      host.user = read_plain(*f, "user", ip);
      if (const auto* e = f->get("port")) {
        if (auto port = read_int(e->value, child_path(ip, "port"), d_, 1, 65535)) host.port = *port;
      }
      host.identity_file = read_plain(*f, "identity_file", ip);
      host.jump = read_jump(*f, ip);
      env.hosts.push_back(std::move(host));
    }
  }

  void read_strategy(const YamlNode& node, const std::string& path, Strategy& s) {
    const auto f = read_fields(node, path, kStrategyKeys, d_);
    if (!f) return;
    if (const auto* e = f->get("parallel")) {
      if (auto v = read_int(e->value, child_path(path, "parallel"), d_, 1, 10000)) s.parallel = *v;
    }
    if (const auto* e = f->get("batch")) {
      read_count_or_percent(e->value, child_path(path, "batch"), s.batch_size, s.batch_percent);
    }
    if (const auto* e = f->get("max_fail")) {
      if (auto v = read_int(e->value, child_path(path, "max_fail"), d_, 0, 10000)) s.max_fail = *v;
    }
    if (const auto* e = f->get("canary")) {
      read_count_or_percent(e->value, child_path(path, "canary"), s.canary, s.canary_percent);
    }
    read_bool_field(*f, "gate_each_batch", path, s.gate_each_batch);
    if (const auto* e = f->get("canary_gate")) {
      const std::string p = child_path(path, "canary_gate");
      const auto* canary = f->get("canary");
      if (canary == nullptr) d_.error(e->key_pos, p, "`canary_gate` needs `canary` (a host count)");
      if (const auto g = read_fields(e->value, p, kCanaryGateKeys, d_)) {
        if (const auto* w = g->get("window")) {
          s.canary_window = read_duration(w->value, child_path(p, "window"), d_);
        }
      }
    }
  }

  // `batch`/`canary`: a host count (2) or a share of the fleet ("25%"). Sets one of the two.
  void read_count_or_percent(const YamlNode& node, const std::string& path, int& count,
                             int& percent) {
    const std::string what = path.substr(path.rfind('.') + 1);
    if (node.is_scalar() && node.scalar.ends_with('%')) {
      const auto pct =
          parse_integer(std::string_view(node.scalar).substr(0, node.scalar.size() - 1));
      if (!pct || *pct < 1 || *pct > 100) {
        d_.error(node.pos, path,
                 what + " percentage must be between 1% and 100%, got `" + node.scalar + "`");
        return;
      }
      count = 0;
      percent = static_cast<int>(*pct);
      return;
    }
    if (node.is_scalar() && !parse_integer(node.scalar)) {
      d_.error(node.pos, path,
               "expected a host count (e.g. 2) or a percentage (e.g. \"50%\"), got `" +
                   node.scalar + "`");
      return;
    }
    if (auto v = read_int(node, path, d_, 1, 10000)) count = *v;
  }

  void read_vars(const YamlNode& node, const std::string& path, Environment& env) {
    const auto entries = read_entries(node, path, d_, "variable");
    if (!entries) return;
    for (const auto* e : *entries) {
      const std::string p = child_path(path, e->key);
      if (!is_identifier(e->key)) {
        d_.error(
            e->key_pos, p,
            "variable name `" + e->key + "` must be letters, digits and `_` (not a digit first)");
      } else if (std::ranges::find(kReservedVars, std::string_view(e->key)) !=
                 kReservedVars.end()) {
        d_.error(e->key_pos, p,
                 "`" + e->key + "` is reserved for {{ " + e->key + ".* }} references");
      }
      if (!e->value.is_scalar()) {
        d_.error(e->value.pos, p, "expected a string, got " + std::string(describe(e->value)));
        continue;
      }
      if (is_template(e->value.scalar)) {
        d_.error(e->value.pos, p, "vars are plain values: `{{` is not expanded here");
      }
      env.vars[e->key] = e->value.scalar;
    }
  }

  void read_env_spec(const YamlNode& node) {
    const auto f = read_fields(node, "env", kEnvSpecKeys, d_);
    if (!f) return;
    EnvSpec& spec = out_.runbook.env;
    if (const auto* e = f->get("example")) {
      if (auto s = read_string(e->value, "env.example", d_)) {
        spec.example = std::move(*s);
        out_.env_example_pos = e->value.pos;
      }
    }
    if (const auto* e = f->get("required")) {
      if (const auto* items = read_list(e->value, "env.required", d_)) {
        std::map<std::string, SourcePos> seen;
        for (std::size_t i = 0; i < items->size(); ++i) {
          read_requirement((*items)[i], item_path("env.required", i), seen);
        }
      }
    }
    if (const auto* e = f->get("secrets")) {
      if (auto names = read_string_list(e->value, "env.secrets", d_)) {
        for (std::size_t i = 0; i < names->size(); ++i) {
          if (!is_identifier((*names)[i])) {
            d_.error(e->value.items[i].pos, item_path("env.secrets", i),
                     "`" + (*names)[i] + "` is not a valid environment variable name");
          }
        }
        spec.secret_names = std::move(*names);
      }
    }
    if (const auto* e = f->get("public")) {
      if (auto names = read_string_list(e->value, "env.public", d_)) {
        for (std::size_t i = 0; i < names->size(); ++i) {
          const std::string& name = (*names)[i];
          const std::string p = item_path("env.public", i);
          if (!is_identifier(name)) {
            d_.error(e->value.items[i].pos, p,
                     "`" + name + "` is not a valid environment variable name");
          } else if (std::ranges::find(spec.secret_names, name) != spec.secret_names.end()) {
            d_.error(e->value.items[i].pos, p, "`" + name + "` is also listed in env.secrets");
          }
          spec.public_names.push_back(name);
        }
      }
    }
  }

  void read_requirement(const YamlNode& item, const std::string& path,
                        std::map<std::string, SourcePos>& seen) {
    EnvRequirement req;
    req.pos = item.pos;
    SourcePos name_pos = item.pos;
    std::string name_path = path;
    std::optional<Fields> f;
    if (item.is_scalar()) {
      req.name = item.scalar;  // shorthand: just the name
    } else {
      f = read_fields(item, path, kRequirementKeys, d_);
      if (!f) return;
      if (const auto* e = required(*f, "name", item.pos, path)) {
        name_pos = e->value.pos;
        name_path = child_path(path, "name");
        if (auto s = read_string(e->value, name_path, d_)) req.name = std::move(*s);
      }
    }
    if (!req.name.empty()) {
      if (!is_identifier(req.name)) {
        d_.error(name_pos, name_path,
                 "`" + req.name + "` is not a valid environment variable name");
      }
      const auto [it, inserted] = seen.emplace(req.name, name_pos);
      if (!inserted) {
        d_.error(
            name_pos, name_path,
            "duplicate requirement for `" + req.name + "` (first at " + at_line(it->second) + ")");
      }
    }
    if (f) {
      if (const auto* e = f->get("pattern")) {
        if (auto s = read_string(e->value, child_path(path, "pattern"), d_)) {
          check_regex(*s, e->value.pos, child_path(path, "pattern"));
          req.pattern = std::move(*s);
        }
      }
      if (const auto* e = f->get("type")) {
        if (auto s = read_string(e->value, child_path(path, "type"), d_)) {
          if (std::ranges::find(kEnvTypes, std::string_view(*s)) == kEnvTypes.end()) {
            d_.error(e->value.pos, child_path(path, "type"),
                     "unknown type `" + *s + "`" + did_you_mean(*s, kEnvTypes) +
                         "; types are url, email, port, int, bool, hostname");
          }
          req.type = std::move(*s);
        }
      }
      if (const auto* e = f->get("one_of")) {
        if (auto v = read_string_list(e->value, child_path(path, "one_of"), d_)) req.one_of = *v;
      }
      if (const auto* e = f->get("min_length")) {
        if (auto v = read_int(e->value, child_path(path, "min_length"), d_, 0, 1 << 20)) {
          req.min_length = *v;
        }
      }
      if (const auto* e = f->get("secret")) {
        if (auto v = read_bool(e->value, child_path(path, "secret"), d_)) {
          req.secret = *v;
          // Declared non-secret: values from env_from sources are otherwise secrets by default.
          if (!*v && !req.name.empty()) out_.runbook.env.public_names.push_back(req.name);
        }
      }
      if (const auto* e = f->get("distinct_from")) {
        const std::string p = child_path(path, "distinct_from");
        if (auto s = read_string(e->value, p, d_)) {
          // Without parsed environments there is nothing to compare with (already reported).
          if (!env_names_.empty() && std::ranges::find(env_names_, *s) == env_names_.end()) {
            std::vector<std::string_view> names(env_names_.begin(), env_names_.end());
            d_.error(e->value.pos, p,
                     "no environment named `" + *s + "`" + did_you_mean(*s, names));
          }
          req.distinct_from = std::move(*s);
        }
      }
      read_inventory(*f, path, req);
    }
    out_.runbook.env.required.push_back(std::move(req));
  }

  // The secret inventory keys of a requirement: owner, scope, rotated (YYYY-MM-DD), stored_in.
  void read_inventory(const Fields& f, const std::string& path, EnvRequirement& req) {
    req.owner = read_plain(f, "owner", path);
    req.scope = read_plain(f, "scope", path);
    req.stored_in = read_plain(f, "stored_in", path);
    req.rotated = read_plain(f, "rotated", path);
    if (!req.rotated.empty()) {
      const auto re = Regex::compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
      if (re && !re->full_match(req.rotated)) {
        d_.error(f.get("rotated")->value.pos, child_path(path, "rotated"),
                 "`" + req.rotated + "` is not a date: write YYYY-MM-DD");
      }
    }
  }

  void read_release(const YamlEntry& entry) {
    const auto f = read_fields(entry.value, "release", kReleaseKeys, d_);
    if (!f) return;
    ReleaseSpec& r = out_.runbook.release;
    if (const auto* e = required(*f, "path", entry.value.pos, "release")) {
      if (auto s = read_string(e->value, "release.path", d_)) {
        if (!s->starts_with('/') && !s->starts_with("{{")) {
          d_.error(e->value.pos, "release.path", "must be an absolute path, got `" + *s + "`");
        }
        tmpl(*s, e->value.pos, "release.path", kScopeHost);
        r.path = std::move(*s);
      }
    }
    if (const auto* e = f->get("keep")) {
      if (auto v = read_int(e->value, "release.keep", d_, 1, 1000)) r.keep = *v;
    }
    if (const auto* e = f->get("shared")) {
      if (auto v = read_string_list(e->value, "release.shared", d_)) {
        for (std::size_t i = 0; i < v->size(); ++i) {
          check_relative((*v)[i], e->value.items[i].pos, item_path("release.shared", i));
        }
        r.shared = std::move(*v);
      }
    }
  }

  // `upload: { compress: auto|zstd|none, reuse: link|copy }`.
  void read_upload(const YamlNode& node) {
    const auto f = read_fields(node, "upload", kUploadKeys, d_);
    if (!f) return;
    UploadSpec& u = out_.runbook.upload;
    u.pos = node.pos;
    auto choice = [&](const char* key, const auto& allowed, const std::string& said) {
      std::optional<std::string> out;
      if (const auto* e = f->get(key)) {
        const std::string path = std::string("upload.") + key;
        if (auto v = read_string(e->value, path, d_)) {
          if (std::ranges::find(allowed, std::string_view(*v)) == allowed.end()) {
            d_.error(e->value.pos, path,
                     "unknown value `" + *v + "`" + did_you_mean(*v, allowed) + "; " + said);
          } else {
            out = std::move(*v);
          }
        }
      }
      return out;
    };
    if (auto v = choice("compress", kCompressModes, "use auto, zstd or none")) u.compress = *v;
    if (auto v = choice("reuse", kReuseModes, "use link or copy")) u.reuse_copy = *v == "copy";
  }

  void read_step_env(const Fields& f, const std::string& path, Step& step, unsigned scopes) {
    const auto* e = f.get("env");
    if (e == nullptr) return;
    const std::string p = child_path(path, "env");
    const auto entries = read_entries(e->value, p, d_);
    if (!entries) return;
    for (const auto* kv : *entries) {
      const std::string vp = child_path(p, kv->key);
      if (!is_identifier(kv->key)) {
        d_.error(kv->key_pos, vp, "`" + kv->key + "` is not a valid environment variable name");
      }
      if (!kv->value.is_scalar()) {
        d_.error(kv->value.pos, vp, "expected a string, got " + std::string(describe(kv->value)));
        continue;
      }
      tmpl(kv->value.scalar, kv->value.pos, vp, scopes);
      step.env[kv->key] = kv->value.scalar;
    }
  }

  void read_timeout(const Fields& f, const std::string& path, Step& step, Millis fallback) {
    step.timeout = fallback;
    if (const auto* e = f.get("timeout")) {
      if (auto v = read_duration(e->value, child_path(path, "timeout"), d_)) step.timeout = *v;
    }
  }

  // `ledger:` a shared server's URL or a file path. A committed runbook must not carry the
  // password: it would be in every clone and in the runbook hash's input.
  void read_ledger(const YamlNode& node) {
    auto text = read_string(node, "ledger", d_);
    if (!text) return;
    bool url = text->starts_with("postgresql://") || text->starts_with("postgres://");
    if (url) {
      std::string rest = text->substr(text->find("://") + 3);
      std::string authority = rest.substr(0, rest.find_first_of("/?"));
      auto at = authority.rfind('@');
      bool password =
          (at != std::string::npos && authority.substr(0, at).find(':') != std::string::npos) ||
          text->find("password=") != std::string::npos;
      if (password) {
        d_.error(node.pos, "ledger",
                 "the ledger URL holds a password: remove it and give it to golive through "
                 "PGPASSWORD or ~/.pgpass (a runbook is committed)");
        return;
      }
    } else if (text->empty()) {
      d_.error(node.pos, "ledger", "`ledger` is empty: a postgresql:// URL or a file path");
      return;
    }
    out_.runbook.ledger = std::move(*text);
  }

  void read_build(const YamlNode& node) {
    const auto* items = read_list(node, "build", d_);
    if (items == nullptr) return;
    std::map<std::string, SourcePos> seen;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const auto& item = (*items)[i];
      const std::string path = item_path("build", i);
      Step step;
      step.kind = StepKind::kLocal;
      step.pos = item.pos;
      step.timeout = 30min;
      step.name = items->size() == 1 ? "build" : "build-" + std::to_string(i + 1);
      if (item.is_scalar()) {
        if (auto s = read_string(item, path, d_)) {
          tmpl(*s, item.pos, path, kScopeEnv);
          step.command = std::move(*s);
        }
      } else {
        const auto f = read_fields(item, path, kBuildKeys, d_);
        if (!f) continue;
        if (const auto* e = f->get("name")) {
          if (auto s = read_string(e->value, child_path(path, "name"), d_)) {
            step.name = std::move(*s);
            note_unique(seen, step.name, e->value.pos, child_path(path, "name"), "build step");
          }
        }
        if (required(*f, "local", item.pos, path) != nullptr) {
          step.command = read_template(*f, "local", path, kScopeEnv);
        }
        read_timeout(*f, path, step, 30min);
        read_step_env(*f, path, step, kScopeEnv);
      }
      out_.runbook.build.push_back(std::move(step));
    }
  }

  void note_unique(std::map<std::string, SourcePos>& seen, const std::string& name, SourcePos pos,
                   const std::string& path, std::string_view what) {
    const auto [it, inserted] = seen.emplace(name, pos);
    if (!inserted) {
      d_.error(pos, path,
               "duplicate " + std::string(what) + " name `" + name + "` (first at " +
                   at_line(it->second) + ")");
    }
  }

  // The kind key of a step, after reporting zero or several.
  const YamlEntry* step_kind(const Fields& f, const YamlNode& item, const std::string& path,
                             std::string_view what) {
    const YamlEntry* kind = nullptr;
    for (const auto* e : f.in_order()) {
      if (std::ranges::find(kStepKinds, std::string_view(e->key)) == kStepKinds.end()) continue;
      if (kind != nullptr) {
        d_.error(e->key_pos, child_path(path, e->key),
                 std::string(what) + " has both `" + kind->key + "` and `" + e->key +
                     "`; a step does exactly one thing");
        continue;
      }
      kind = e;
    }
    if (kind == nullptr) {
      d_.error(item.pos, path,
               std::string(what) + " needs exactly one of `run`, `upload`, `switch`, `local`");
    }
    return kind;
  }

  void read_steps(const YamlNode& node) {
    const auto* items = read_list(node, "steps", d_);
    if (items == nullptr) return;
    std::map<std::string, SourcePos> seen;
    const YamlEntry* first_switch = nullptr;
    std::string first_switch_name;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const auto& item = (*items)[i];
      const std::string path = item_path("steps", i);
      const auto f = read_fields(item, path, kStepKeys, d_);
      if (!f) continue;
      Step step = named_step(*f, item, path, seen, "step");
      const YamlEntry* kind = step_kind(*f, item, path, "step");
      if (kind != nullptr) {
        const std::string kp = child_path(path, kind->key);
        if (kind->key == "run" || kind->key == "local") {
          step.kind = kind->key == "run" ? StepKind::kRun : StepKind::kLocal;
          step.command = read_template(*f, kind->key, path, kStepScopes);
        } else if (kind->key == "upload") {
          step.kind = StepKind::kUpload;
          if (auto s = read_string(kind->value, kp, d_)) {
            if (*s != "artifact") {
              d_.error(kind->value.pos, kp,
                       "unknown upload source `" + *s + "`: the only source in v1 is `artifact`");
            } else if (out_.runbook.artifact.empty()) {
              d_.error(kind->value.pos, kp,
                       "`upload: artifact` needs a top-level `artifact:` (the directory the build "
                       "writes)");
            }
            step.command = std::move(*s);
          }
        } else {
          step.kind = StepKind::kSwitch;
          if (auto s = read_string(kind->value, kp, d_)) {
            if (*s != "current") {
              d_.error(kind->value.pos, kp, "`switch:` takes `current`, got `" + *s + "`");
            }
            step.command = std::move(*s);
          }
          if (first_switch != nullptr) {
            d_.error(kind->key_pos, kp,
                     "more than one `switch` step (the first is `" + first_switch_name + "` at " +
                         at_line(first_switch->key_pos) + ")");
          } else {
            first_switch = kind;
            first_switch_name = step.name;
          }
        }
      }
      if (const auto* e = f->get("undo")) {
        const std::string up = child_path(path, "undo");
        if (kind != nullptr && (kind->key == "switch" || kind->key == "upload")) {
          d_.error(e->key_pos, up,
                   "`undo` is not allowed on " + std::string(kind->key) +
                       " steps: rollback switches `current` back and keeps old releases itself");
        } else if (auto s = read_string(e->value, up, d_)) {
          tmpl(*s, e->value.pos, up, kStepScopes);
          step.undo = std::move(*s);
        }
      }
      if (const auto* e = f->get("once")) {
        if (kind != nullptr && kind->key != "run") {
          d_.error(e->key_pos, child_path(path, "once"),
                   "`once` only applies to `run` steps (this is a `" + kind->key + "` step)");
        } else if (auto v = read_bool(e->value, child_path(path, "once"), d_)) {
          step.once = *v;
        }
      }
      read_timeout(*f, path, step, default_timeout(step.kind));
      read_step_env(*f, path, step, kStepScopes);
      out_.runbook.steps.push_back(std::move(step));
    }
    if (first_switch == nullptr) {
      d_.error(node.pos, "steps",
               "no `switch` step: add `- { name: switch, switch: current }` where the new release "
               "goes live");
    }
  }

  static Millis default_timeout(StepKind kind) {
    switch (kind) {
      case StepKind::kRun:
      case StepKind::kUpload:
        return 10min;
      case StepKind::kSwitch:
        return 1min;
      case StepKind::kLocal:
        return 30min;
    }
    return 10min;
  }

  void read_rollback(const YamlNode& node) {
    const auto* items = read_list(node, "rollback", d_);
    if (items == nullptr) return;
    std::map<std::string, SourcePos> seen;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const auto& item = (*items)[i];
      const std::string path = item_path("rollback", i);
      const auto f = read_fields(item, path, kStepKeys, d_);
      if (!f) continue;
      Step step = named_step(*f, item, path, seen, "rollback step");
      const YamlEntry* kind = step_kind(*f, item, path, "rollback step");
      if (kind != nullptr) {
        if (kind->key == "run" || kind->key == "local") {
          step.kind = kind->key == "run" ? StepKind::kRun : StepKind::kLocal;
          step.command = read_template(*f, kind->key, path, kStepScopes);
        } else {
          d_.error(kind->key_pos, child_path(path, kind->key),
                   "rollback steps are `run` or `local` (`current` is switched back before they "
                   "run)");
        }
      }
      for (std::string_view key : {"undo", "once"}) {
        if (const auto* e = f->get(key)) {
          d_.error(e->key_pos, child_path(path, key),
                   "`" + std::string(key) + "` is not allowed in rollback steps");
        }
      }
      read_timeout(*f, path, step, default_timeout(step.kind));
      read_step_env(*f, path, step, kStepScopes);
      out_.runbook.rollback.push_back(std::move(step));
    }
  }

  void read_gate(const YamlNode& node) {
    const auto f = read_fields(node, "gate", kGateKeys, d_);
    if (!f) return;
    GateSpec& g = out_.runbook.gate;
    for (auto [key, target] : {std::pair{"window", &g.window}, std::pair{"interval", &g.interval},
                               std::pair{"timeout", &g.timeout}}) {
      if (const auto* e = f->get(key)) {
        if (auto v = read_duration(e->value, child_path("gate", key), d_)) *target = *v;
      }
    }
    if (const auto* e = f->get("consecutive")) {
      if (auto v = read_int(e->value, "gate.consecutive", d_, 1, 1000)) g.consecutive = *v;
    }
    if (const auto* e = f->get("fail_after")) {
      if (auto v = read_int(e->value, "gate.fail_after", d_, 0, 1000)) g.fail_after = *v;
    }
    const auto needed = g.interval * (g.consecutive - 1);
    if (needed >= g.window) {
      const auto* w = f->get("window");
      d_.error(w != nullptr ? w->value.pos : node.pos, "gate.window",
               "window " + format_duration(g.window) + " is too short for " +
                   std::to_string(g.consecutive) + " consecutive passes " +
                   format_duration(g.interval) + " apart (needs more than " +
                   format_duration(needed) + ")");
    }
  }

  void read_checks(const YamlNode& node) {
    const auto* items = read_list(node, "checks", d_);
    if (items == nullptr) return;
    std::map<std::string, SourcePos> seen;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const auto& item = (*items)[i];
      const std::string path = item_path("checks", i);
      const auto f = read_fields(item, path, kCheckKeys, d_, "check kind");
      if (!f) continue;
      Check check;
      check.pos = item.pos;
      if (const auto* e = required(*f, "name", item.pos, path)) {
        if (auto s = read_string(e->value, child_path(path, "name"), d_)) {
          check.name = std::move(*s);
          note_unique(seen, check.name, e->value.pos, child_path(path, "name"), "check");
        }
      }
      const YamlEntry* kind = nullptr;
      for (const auto* e : f->in_order()) {
        if (e->key == "name") continue;
        if (kind != nullptr) {
          d_.error(
              e->key_pos, child_path(path, e->key),
              "check has both `" + kind->key + "` and `" + e->key + "`; write one check per kind");
          continue;
        }
        kind = e;
      }
      const bool unknown_kind_reported = f->in_order().size() < item.entries.size();
      if (kind == nullptr && !unknown_kind_reported) {
        d_.error(item.pos, path,
                 "check needs one of `http`, `login`, `private_cache`, `email`, `command`, `tls`, "
                 "`access`, `prometheus`");
      }
      if (kind == nullptr) {
        out_.runbook.checks.push_back(std::move(check));
        continue;
      }
      const std::string kp = child_path(path, kind->key);
      if (kind->key == "http") {
        check.spec = read_http(kind->value, kp);
      } else if (kind->key == "login") {
        check.spec = read_login(kind->value, kp);
        login_checks_.insert(check.name);
      } else if (kind->key == "private_cache") {
        check.spec = read_private_cache(kind->value, kp);
      } else if (kind->key == "email") {
        check.spec = read_email(kind->value, kp);
      } else if (kind->key == "command") {
        check.spec = read_command(kind->value, kp);
      } else if (kind->key == "access") {
        check.spec = read_access(kind->value, kp, out_.templates, d_);
        if (std::get<AccessCheck>(check.spec).from_launch)
          launch_refs_.push_back({kp, kind->value.pos});
      } else if (kind->key == "prometheus") {
        check.spec = read_prometheus(kind->value, kp);
      } else {
        check.spec = read_tls(kind->value, kp);
      }
      check_names_.insert(check.name);
      out_.runbook.checks.push_back(std::move(check));
    }
  }

  // `access: launch` checks take the top-level launch.access matrix.
  void resolve_access_checks() {
    for (const auto& ref : launch_refs_) {
      if (out_.runbook.launch.access.rules.empty()) {
        d_.error(ref.second, ref.first,
                 "`access: launch` needs a `launch.access` matrix with rules");
      }
    }
    for (auto& c : out_.runbook.checks) {
      if (auto* a = std::get_if<AccessCheck>(&c.spec); a != nullptr && a->from_launch) {
        *a = out_.runbook.launch.access;
        if (a->ca_file.empty()) a->ca_file = out_.runbook.launch.ca_file;
      }
    }
  }

  // A reference to a login check, verified once every check is known.
  void note_session(const Fields& f, const std::string& parent, std::string& out) {
    const auto* e = f.get("session");
    if (e == nullptr) return;
    if (auto s = read_string(e->value, child_path(parent, "session"), d_)) {
      out = *s;
      sessions_.push_back({std::move(*s), e->value.pos, child_path(parent, "session")});
    }
  }

  void check_sessions() {
    std::vector<std::string_view> logins(login_checks_.begin(), login_checks_.end());
    for (const auto& ref : sessions_) {
      if (login_checks_.contains(ref.name)) continue;
      if (check_names_.contains(ref.name)) {
        d_.error(ref.pos, ref.path, "check `" + ref.name + "` is not a `login` check");
      } else {
        d_.error(ref.pos, ref.path,
                 "no login check named `" + ref.name + "`" + did_you_mean(ref.name, logins));
      }
    }
  }

  void read_bool_field(const Fields& f, std::string_view key, const std::string& parent,
                       bool& out) {
    if (const auto* e = f.get(key)) {
      if (auto v = read_bool(e->value, child_path(parent, key), d_)) out = *v;
    }
  }

  void read_regex_field(const Fields& f, std::string_view key, const std::string& parent,
                        std::string& out) {
    if (const auto* e = f.get(key)) {
      const std::string p = child_path(parent, key);
      if (auto s = read_string(e->value, p, d_)) {
        check_regex(*s, e->value.pos, p);
        out = std::move(*s);
      }
    }
  }

  std::map<std::string, std::string> read_template_map(const Fields& f, std::string_view key,
                                                       const std::string& parent) {
    const auto* e = f.get(key);
    if (e == nullptr) return {};
    const std::string p = child_path(parent, key);
    auto m = read_string_map(e->value, p, d_);
    if (!m) return {};
    for (const auto& kv : e->value.entries) {
      if (kv.value.is_scalar())
        tmpl(kv.value.scalar, kv.value.pos, child_path(p, kv.key), kCheckScopes);
    }
    return std::move(*m);
  }

  void check_url_scheme(const Fields& f, std::string_view key, const std::string& parent,
                        std::initializer_list<std::string_view> schemes) {
    const auto* e = f.get(key);
    if (e == nullptr || !e->value.is_scalar() || e->value.scalar.starts_with("{{")) return;
    for (auto scheme : schemes) {
      if (e->value.scalar.starts_with(scheme)) return;
    }
    std::string list;
    for (auto scheme : schemes) list += (list.empty() ? "" : " or ") + std::string(scheme);
    d_.error(e->value.pos, child_path(parent, key),
             "`" + e->value.scalar + "` must start with " + list);
  }

  HttpCheck read_http(const YamlNode& node, const std::string& path) {
    HttpCheck c;
    const auto f = read_fields(node, path, kHttpKeys, d_);
    if (!f) return c;
    if (const auto* e = f->get("method")) {
      if (auto s = read_string(e->value, child_path(path, "method"), d_)) {
        std::ranges::transform(
            *s, s->begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
        if (std::ranges::find(kHttpMethods, std::string_view(*s)) == kHttpMethods.end()) {
          d_.error(
              e->value.pos, child_path(path, "method"),
              "unknown HTTP method `" + e->value.scalar + "`" + did_you_mean(*s, kHttpMethods));
        }
        c.method = std::move(*s);
      }
    }
    if (required(*f, "url", node.pos, path) != nullptr) {
      c.url = read_template(*f, "url", path, kCheckScopes);
      check_url_scheme(*f, "url", path, {"http://", "https://"});
    }
    c.headers = read_template_map(*f, "headers", path);
    c.body = read_template(*f, "body", path, kCheckScopes);
    c.form = read_template_map(*f, "form", path);
    c.json = read_template(*f, "json", path, kCheckScopes);
    int bodies = 0;
    const YamlEntry* extra_body = nullptr;
    for (std::string_view key : {"body", "form", "json"}) {
      if (const auto* e = f->get(key); e != nullptr && ++bodies > 1) extra_body = e;
    }
    if (extra_body != nullptr) {
      d_.error(extra_body->key_pos, child_path(path, extra_body->key),
               "use only one of `body`, `form`, `json`");
    }
    read_bool_field(*f, "follow", path, c.follow);
    if (const auto* e = f->get("status")) read_status(e->value, child_path(path, "status"), c);
    if (const auto* e = f->get("header_match")) {
      const std::string p = child_path(path, "header_match");
      if (auto m = read_string_map(e->value, p, d_)) {
        for (const auto& kv : e->value.entries) {
          if (kv.value.is_scalar())
            check_regex(kv.value.scalar, kv.value.pos, child_path(p, kv.key));
        }
        c.header_match = std::move(*m);
      }
    }
    if (const auto* e = f->get("header_absent")) {
      if (auto v = read_string_list(e->value, child_path(path, "header_absent"), d_)) {
        c.header_absent = std::move(*v);
      }
    }
    c.body_contains = read_template(*f, "body_contains", path, kCheckScopes);
    read_regex_field(*f, "body_regex", path, c.body_regex);
    if (const auto* e = f->get("max_latency")) {
      c.max_latency = read_duration(e->value, child_path(path, "max_latency"), d_);
    }
    note_session(*f, path, c.session);
    c.ca_file = read_template(*f, "ca_file", path, kCheckScopes);
    read_bool_field(*f, "insecure", path, c.insecure);
    return c;
  }

  void read_status(const YamlNode& node, const std::string& path, HttpCheck& c) {
    if (node.is_scalar()) {
      if (auto v = read_int(node, path, d_, 100, 599)) c.status = {*v};
      return;
    }
    if (!node.is_sequence() || node.items.empty()) {
      d_.error(
          node.pos, path,
          "expected a status code or a non-empty list of them, got " + std::string(describe(node)));
      return;
    }
    std::vector<int> codes;
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      if (auto v = read_int(node.items[i], item_path(path, i), d_, 100, 599)) codes.push_back(*v);
    }
    c.status = std::move(codes);
  }

  LoginCheck read_login(const YamlNode& node, const std::string& path) {
    LoginCheck c;
    const auto f = read_fields(node, path, kLoginKeys, d_);
    if (!f) return c;
    for (std::string_view key : {"url", "user", "password"}) required(*f, key, node.pos, path);
    c.url = read_template(*f, "url", path, kCheckScopes);
    check_url_scheme(*f, "url", path, {"http://", "https://"});
    c.user = read_template(*f, "user", path, kCheckScopes);
    c.password = read_template(*f, "password", path, kCheckScopes);
    if (f->has("user_field")) c.user_field = read_plain(*f, "user_field", path);
    if (f->has("password_field")) c.password_field = read_plain(*f, "password_field", path);
    c.then = read_template(*f, "then", path, kCheckScopes);
    check_url_scheme(*f, "then", path, {"http://", "https://"});
    c.ca_file = read_template(*f, "ca_file", path, kCheckScopes);
    c.cookie = read_plain(*f, "cookie", path);
    return c;
  }

  PrivateCacheCheck read_private_cache(const YamlNode& node, const std::string& path) {
    PrivateCacheCheck c;
    const auto f = read_fields(node, path, kPrivateCacheKeys, d_);
    if (!f) return c;
    required(*f, "url", node.pos, path);
    c.url = read_template(*f, "url", path, kCheckScopes);
    check_url_scheme(*f, "url", path, {"http://", "https://"});
    if (required(*f, "session", node.pos, path) != nullptr) note_session(*f, path, c.session);
    if (const auto* e = f->get("static_urls")) {
      const std::string p = child_path(path, "static_urls");
      if (auto v = read_string_list(e->value, p, d_)) {
        for (std::size_t i = 0; i < v->size(); ++i) {
          tmpl((*v)[i], e->value.items[i].pos, item_path(p, i), kCheckScopes);
        }
        c.static_urls = std::move(*v);
      }
    }
    if (const auto* e = f->get("static_min_max_age")) {
      if (auto v = read_duration(e->value, child_path(path, "static_min_max_age"), d_)) {
        c.static_min_max_age = *v;
      }
    }
    c.ca_file = read_template(*f, "ca_file", path, kCheckScopes);
    return c;
  }

  EmailCheck read_email(const YamlNode& node, const std::string& path) {
    EmailCheck c;
    const auto f = read_fields(node, path, kEmailKeys, d_);
    if (!f) return c;
    const auto* smtp = f->get("smtp");
    const auto* trigger = f->get("trigger_url");
    if (smtp == nullptr && trigger == nullptr) {
      d_.error(node.pos, path,
               "email check needs `smtp` (send directly) or `trigger_url` (ask the app)");
    } else if (smtp != nullptr && trigger != nullptr) {
      d_.error(trigger->key_pos, child_path(path, "trigger_url"),
               "use either `smtp` or `trigger_url`, not both");
    }
    c.smtp = read_template(*f, "smtp", path, kCheckScopes);
    check_url_scheme(*f, "smtp", path, {"smtp://", "smtps://"});
    if (smtp != nullptr) required(*f, "to", node.pos, path);
    c.to = read_template(*f, "to", path, kCheckScopes);
    if (f->has("from")) c.from = read_template(*f, "from", path, kCheckScopes);
    c.user = read_template(*f, "user", path, kCheckScopes);
    c.password = read_template(*f, "password", path, kCheckScopes);
    read_bool_field(*f, "starttls", path, c.starttls);
    c.trigger_url = read_template(*f, "trigger_url", path, kCheckScopes);
    check_url_scheme(*f, "trigger_url", path, {"http://", "https://"});
    note_session(*f, path, c.session);
    c.ca_file = read_template(*f, "ca_file", path, kCheckScopes);
    return c;
  }

  CommandCheck read_command(const YamlNode& node, const std::string& path) {
    CommandCheck c;
    const auto f = read_fields(node, path, kCommandKeys, d_);
    if (!f) return c;
    if (required(*f, "run", node.pos, path) != nullptr) {
      c.run = read_template(*f, "run", path, kCheckScopes);
    }
    read_bool_field(*f, "local", path, c.local);
    if (const auto* e = f->get("exit")) {
      if (auto v = read_int(e->value, child_path(path, "exit"), d_, 0, 255)) c.exit = *v;
    }
    read_regex_field(*f, "output", path, c.output_regex);
    return c;
  }

  TlsCheck read_tls(const YamlNode& node, const std::string& path) {
    TlsCheck c;
    const auto f = read_fields(node, path, kTlsKeys, d_);
    if (!f) return c;
    if (required(*f, "url", node.pos, path) != nullptr) {
      c.url = read_template(*f, "url", path, kCheckScopes);
      check_url_scheme(*f, "url", path, {"https://"});
    }
    c.ca_file = read_template(*f, "ca_file", path, kCheckScopes);
    if (const auto* e = f->get("min_days")) {
      if (auto v = read_int(e->value, child_path(path, "min_days"), d_, 0, 3650)) c.min_days = *v;
    }
    return c;
  }

  PrometheusCheck read_prometheus(const YamlNode& node, const std::string& path) {
    PrometheusCheck c;
    const auto f = read_fields(node, path, kPrometheusKeys, d_);
    if (!f) return c;
    if (required(*f, "url", node.pos, path) != nullptr) {
      c.url = read_template(*f, "url", path, kCheckScopes);
      check_url_scheme(*f, "url", path, {"http://", "https://"});
    }
    if (required(*f, "query", node.pos, path) != nullptr) {
      c.query = read_template(*f, "query", path, kCheckScopes);
    }
    if (const auto* e = f->get("success")) {
      const std::string p = child_path(path, "success");
      if (auto s = read_string(e->value, p, d_)) {
        c.success = *s;
        if (!parse_success(*s, c.op, c.threshold)) {
          d_.error(e->value.pos, p,
                   "expected `result OP NUMBER` with OP one of < <= > >= == != (e.g. "
                   "\"result >= 0.99\"), got `" +
                       *s + "`");
        }
      }
    }
    for (auto [key, out] : {std::pair{"min", &c.min}, std::pair{"max", &c.max}}) {
      if (const auto* e = f->get(key)) {
        const std::string p = child_path(path, key);
        double v = 0;
        if (!e->value.is_scalar() || !parse_number(e->value.scalar, v)) {
          d_.error(e->value.pos, p, "expected a number");
        } else {
          *out = v;
        }
      }
    }
    if (c.success.empty() && !c.min && !c.max) {
      d_.error(node.pos, path, "prometheus check needs `success`, `min` or `max`");
    }
    if (const auto* e = f->get("for")) {
      if (auto v = read_duration(e->value, child_path(path, "for"), d_)) c.hold = *v;
    }
    c.ca_file = read_template(*f, "ca_file", path, kCheckScopes);
    return c;
  }

  static bool parse_number(std::string_view text, double& out) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
  }

  // "result >= 0.99" -> (">=", 0.99).
  static bool parse_success(std::string_view text, std::string& op, double& threshold) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    if (!text.starts_with("result")) return false;
    text.remove_prefix(6);
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    for (std::string_view candidate : {"<=", ">=", "==", "!=", "<", ">"}) {
      if (text.starts_with(candidate)) {
        op = candidate;
        return parse_number(text.substr(candidate.size()), threshold);
      }
    }
    return false;
  }

  void read_notify(const YamlNode& node) {
    const auto* items = read_list(node, "notify", d_);
    if (items == nullptr) return;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const auto& item = (*items)[i];
      const std::string path = item_path("notify", i);
      const auto f = read_fields(item, path, kNotifyKeys, d_);
      if (!f) continue;
      Notify n;
      n.pos = item.pos;
      if (!f->has("webhook") && !f->has("command")) {
        d_.error(item.pos, path, "notify needs a `webhook` or a `command`");
      }
      n.webhook = read_template(*f, "webhook", path, kScopeEnv);
      check_url_scheme(*f, "webhook", path, {"http://", "https://"});
      n.command = read_template(*f, "command", path, kScopeEnv);
      n.on = {"failed", "rolled_back", "rollback_failed", "lock_broken"};
      if (const auto* e = f->get("on")) {
        const std::string p = child_path(path, "on");
        if (auto events = read_string_list(e->value, p, d_)) {
          for (std::size_t k = 0; k < events->size(); ++k) {
            auto& ev = (*events)[k];
            // The product brief's sketch says `rollback`; accept it as the event's short name.
            if (ev == "rollback") ev = "rolled_back";
            if (std::ranges::find(kNotifyEvents, std::string_view(ev)) == kNotifyEvents.end()) {
              d_.error(e->value.items[k].pos, item_path(p, k),
                       "unknown event `" + ev + "`" + did_you_mean(ev, kNotifyEvents) +
                           "; events are started, succeeded, failed, rolled_back, "
                           "rollback_failed, lock_broken");
            }
          }
          n.on = std::move(*events);
        }
      }
      out_.runbook.notify.push_back(std::move(n));
    }
  }

  struct SessionRef {
    std::string name;
    SourcePos pos;
    std::string path;
  };

  Diagnostics& d_;
  ParsedRunbook out_;
  std::vector<std::string> env_names_;
  std::set<std::string> login_checks_;
  std::set<std::string> check_names_;
  std::vector<SessionRef> sessions_;
  std::vector<std::pair<std::string, SourcePos>> launch_refs_;
};

}  // namespace

ParsedRunbook read_runbook_schema(const YamlNode& root, Diagnostics& diags) {
  return SchemaReader(diags).read(root);
}

}  // namespace golive
