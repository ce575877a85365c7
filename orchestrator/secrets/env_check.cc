// check_release_env: the release's environment, merged by precedence, checked against the
// runbook's declarations before any host is touched.
//
// Precedence (lowest to highest), documented for users in docs/env-and-secrets.md:
//   1. the environment's `env_file` (relative to the runbook's directory), if it exists;
//   2. the environment's `env_from` sources, in order (env_sources.cc), later ones winning;
//   3. the process environment (CI secrets) — but only for keys the release knows about: keys of
//      the env file and sources, of env.example, of env.required and env.secrets. PATH, HOME and
//      the rest of the operator's environment never leak into the rendered .env.
// A key set in both is taken from the process environment, even when that value is empty (an
// unset CI secret often arrives as ""; the check then reports it rather than hiding it).
#include "golive/env_check.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>

#include "orchestrator/adapters/regex/regex.h"
#include "orchestrator/secrets/dotenv.h"
#include "orchestrator/secrets/env_sources.h"

extern char** environ;

namespace golive {

namespace {

namespace fs = std::filesystem;

constexpr const char* kProcessEnv = "process environment";

std::string resolve(const Runbook& runbook, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute() || runbook.dir.empty()) return path;
  return (fs::path(runbook.dir) / path).string();
}

std::string where_of(const EnvValue& v) {
  if (v.line == 0) return v.source;
  return v.source + ":" + std::to_string(v.line);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const Regex& compiled(const char* pattern) {
  // Built-in patterns only; user patterns are compiled per requirement below.
  static std::map<std::string, Regex> cache;
  static std::mutex mu;
  std::lock_guard lock(mu);
  auto it = cache.find(pattern);
  if (it == cache.end()) {
    auto re = Regex::compile(pattern);
    if (!re) throw std::logic_error("built-in pattern does not compile: " + re.error().message);
    it = cache.emplace(pattern, std::move(*re)).first;
  }
  return it->second;
}

bool valid_port(const std::string& v) {
  if (v.empty() || v.size() > 5) return false;
  if (!std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  int n = std::atoi(v.c_str());
  return n >= 1 && n <= 65535;
}

bool valid_hostname(const std::string& v) {
  if (v.empty() || v.size() > 253) return false;
  return compiled(
             R"re([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?)re")
      .full_match(v);
}

// Empty when `value` is a valid `type`, else the broken rule.
std::string type_problem(const std::string& type, const std::string& value) {
  bool ok = true;
  if (type == "url") {
    ok = compiled(R"([A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#]+([/?#]\S*)?)").full_match(value);
  } else if (type == "email") {
    ok = compiled(R"([^\s@]+@[^\s@]+\.[^\s@]+)").full_match(value);
  } else if (type == "port") {
    ok = valid_port(value);
  } else if (type == "int") {
    ok = compiled(R"([+-]?[0-9]{1,18})").full_match(value);
  } else if (type == "bool") {
    static const std::set<std::string> kBools = {"true", "false", "1",  "0",
                                                 "yes",  "no",    "on", "off"};
    ok = kBools.contains(lower(value));
  } else if (type == "hostname") {
    ok = valid_hostname(value);
  } else {
    return "has unknown type '" + type + "' (url, email, port, int, bool, hostname)";
  }
  if (ok) return "";
  static const std::map<std::string, std::string> kWhat = {
      {"url", "a URL (scheme://host...)"},
      {"email", "an email address"},
      {"port", "a port (1-65535)"},
      {"int", "an integer"},
      {"bool", "a boolean (true/false, 1/0, yes/no, on/off)"},
      {"hostname", "a hostname"}};
  return "is not " + kWhat.at(type);
}

// Values people leave in place of a real secret.
bool looks_placeholder(const std::string& value) {
  std::string v = lower(value);
  static const std::set<std::string> kExact = {
      "changeme",    "change-me", "change_me", "change me", "replaceme",     "replace-me",
      "replace_me",  "todo",      "tbd",       "fixme",     "example",       "placeholder",
      "dummy",       "test",      "password",  "secret",    "passwd",        "none",
      "null",        "nil",       "undefined", "xxx",       "your-key-here", "your_key_here",
      "yourkeyhere", "\"\"",      "''",        "...",       "redacted"};
  if (kExact.contains(v)) return true;
  for (const char* prefix : {"changeme", "change_me", "change-me", "replace_me", "replace-me",
                             "replaceme", "todo", "fixme", "your-", "your_"}) {
    if (v.starts_with(prefix)) return true;
  }
  if (v.ends_with("-here") || v.ends_with("_here")) return true;
  if (v.size() >= 2 && v.front() == '<' && v.back() == '>') return true;
  // One repeated character: "xxxxxxxx", "********", "00000000".
  if (v.size() >= 2 && v.find_first_not_of(v[0]) == std::string::npos) return true;
  return false;
}

// Optimal-string-alignment distance (a transposition counts 1: SMPT -> SMTP).
int edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<int>> d(a.size() + 1, std::vector<int>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string closest(const std::string& key, const std::vector<std::string>& declared) {
  std::string best;
  int best_d = 0;
  for (const auto& name : declared) {
    int dist = edit_distance(lower(key), lower(name));
    int limit = std::max(1, std::min(2, static_cast<int>(name.size()) / 3));
    if (dist <= limit && (best.empty() || dist < best_d)) {
      best = name;
      best_d = dist;
    }
  }
  return best;
}

using EnvValues = std::map<std::string, EnvValue>;

// What `other` (the environment named by distinct_from) holds in files on this machine: its
// env_file, then its `file:` and `age:` sources. Sources that run commands are not run for another
// environment; an age file this machine cannot decrypt (no identity for it) is skipped.
Result<EnvValues> comparable_values(const Runbook& runbook, const Environment& other,
                                    const std::map<std::string, std::string>& process_env,
                                    LocalProcess* local) {
  EnvValues out;
  if (!other.env_file.empty()) {
    std::string path = resolve(runbook, other.env_file);
    std::error_code ec;
    if (fs::exists(path, ec)) {
      auto file = load_dotenv_file(path, other.env_file, process_env);
      if (!file) return std::unexpected(file.error());
      for (auto& e : file->entries) out[e.key] = {std::move(e.value), other.env_file, e.line};
    }
  }
  SourceContext ctx{runbook, process_env, local};
  for (std::size_t i = 0; i < other.env_from.size(); ++i) {
    const EnvSource& src = other.env_from[i];
    if (src.kind != EnvSourceKind::kFile && src.kind != EnvSourceKind::kAge) continue;
    auto loaded = load_env_source(src, i, ctx, Redactor());
    if (!loaded) {
      if (src.kind == EnvSourceKind::kAge) continue;
      return std::unexpected(loaded.error());
    }
    for (auto& e : loaded->entries) out[e.key] = {std::move(e.value), loaded->label, e.line};
  }
  return out;
}

struct RequirementContext {
  const std::string& env_name;
  const Runbook& runbook;
  const std::map<std::string, std::string>& process_env;
  LocalProcess* local;
  std::map<std::string, Result<EnvValues>>& others;  // by environment name, loaded once
};

void check_requirement(const EnvRequirement& req, const EnvValue& v, RequirementContext& rc,
                       std::vector<EnvProblem>& problems) {
  const std::string& env_name = rc.env_name;
  const Runbook& runbook = rc.runbook;
  auto problem = [&](std::string rule) { problems.push_back({req.name, where_of(v), rule}); };
  if (!req.pattern.empty()) {
    auto re = Regex::compile(req.pattern);
    if (!re) {
      problem("has an invalid pattern in env.required: " + re.error().message);
    } else if (!re->partial_match(v.value)) {
      problem("does not match pattern " + req.pattern);
    }
  }
  if (!req.type.empty()) {
    if (std::string p = type_problem(req.type, v.value); !p.empty()) problem(p);
  }
  if (!req.one_of.empty() &&
      std::find(req.one_of.begin(), req.one_of.end(), v.value) == req.one_of.end()) {
    std::string list;
    for (const auto& o : req.one_of) list += (list.empty() ? "" : ", ") + o;
    problem("must be one of: " + list);
  }
  if (req.min_length > 0 && v.value.size() < static_cast<std::size_t>(req.min_length)) {
    problem("is shorter than " + std::to_string(req.min_length) + " characters");
  }
  if (!req.distinct_from.empty() && req.distinct_from != env_name) {
    const Environment* other = runbook.find_environment(req.distinct_from);
    if (other == nullptr) {
      problem("distinct_from names unknown environment '" + req.distinct_from + "'");
      return;
    }
    if (!rc.others.contains(other->name)) {
      rc.others.emplace(other->name, comparable_values(runbook, *other, rc.process_env, rc.local));
    }
    const auto& values = rc.others.at(other->name);
    if (!values) return;  // reported once by the caller
    if (auto it = values->find(req.name); it != values->end() && it->second.value == v.value) {
      problem("has the same value as in " + other->name + " (" + where_of(it->second) + "); " +
              env_name + " must use its own");
    }
  }
}

}  // namespace

namespace {

// Step 2 of the precedence: every env_from source in order, later ones overriding earlier ones.
// Values read so far redact a failing source's stderr. Returns the keys the sources provided.
Result<std::vector<std::string>> merge_sources(const Runbook& runbook, const Environment& env,
                                               const std::map<std::string, std::string>& penv,
                                               LocalProcess* local, EnvReport& report) {
  std::vector<std::string> keys;
  Redactor known;
  for (const auto& [key, v] : report.values) known.add(key, v.value);
  SourceContext ctx{runbook, penv, local};
  for (std::size_t i = 0; i < env.env_from.size(); ++i) {
    auto loaded = load_env_source(env.env_from[i], i, ctx, known);
    if (!loaded) return std::unexpected(loaded.error());
    for (auto& e : loaded->entries) {
      known.add(e.key, e.value);
      keys.push_back(e.key);
      report.values[e.key] = {std::move(e.value), loaded->label, e.line};
    }
  }
  return keys;
}

// Secret names: declared secret, listed in env.secrets, provided by an env_from source, or named
// like one — minus the names declared public (env.public, `secret: false`), except those
// explicitly declared secret.
std::vector<std::string> secret_names_of(const Runbook& runbook,
                                         const std::vector<std::string>& declared,
                                         const std::vector<std::string>& source_keys,
                                         const EnvReport& report) {
  std::set<std::string> explicit_secrets(runbook.env.secret_names.begin(),
                                         runbook.env.secret_names.end());
  for (const auto& req : runbook.env.required) {
    if (req.secret) explicit_secrets.insert(req.name);
  }
  std::set<std::string> secrets;
  for (const auto& key : declared) {
    if (looks_secret_name(key)) secrets.insert(key);
  }
  for (const auto& [key, v] : report.values) {
    if (looks_secret_name(key)) secrets.insert(key);
  }
  secrets.insert(source_keys.begin(), source_keys.end());
  for (const auto& name : runbook.env.public_names) secrets.erase(name);
  secrets.insert(explicit_secrets.begin(), explicit_secrets.end());
  return {secrets.begin(), secrets.end()};
}

// Values golive cannot carry are refused by name (never quoted): a huge one would blow up the
// redactor and the build's environment, and a NUL byte cannot pass through the env file /bin/sh
// reads. Returns the refused keys, removed from the report's values.
std::set<std::string> reject_uncarriable(EnvReport& report) {
  std::set<std::string> rejected;
  for (auto it = report.values.begin(); it != report.values.end();) {
    const EnvValue& v = it->second;
    std::string rule;
    if (v.value.size() > kMaxEnvValueBytes) {
      rule = "is " + std::to_string(v.value.size()) + " bytes; a value may be at most " +
             std::to_string(kMaxEnvValueBytes / 1024) + " KiB";
    } else if (v.value.find('\0') != std::string::npos) {
      rule = "contains a NUL byte, which the env file (read by /bin/sh) cannot carry";
    }
    if (rule.empty()) {
      ++it;
      continue;
    }
    report.problems.push_back({it->first, where_of(v), rule});
    rejected.insert(it->first);
    it = report.values.erase(it);
  }
  return rejected;
}

// The keys this release declares, in order: env.required first (they carry rules), then
// .env.example's; `known` adds env.secrets.
struct Declarations {
  std::vector<std::string> names;
  std::set<std::string> known;
  std::map<std::string, const EnvRequirement*> requirement;
  std::map<std::string, std::string> declared_by;
};

Result<Declarations> declarations_of(const Runbook& runbook,
                                     const std::map<std::string, std::string>& process_env) {
  Declarations d;
  for (const auto& req : runbook.env.required) {
    if (d.requirement.emplace(req.name, &req).second) {
      d.names.push_back(req.name);
      d.declared_by[req.name] = "env.required";
    }
  }
  if (!runbook.env.example.empty()) {
    auto example =
        load_dotenv_file(resolve(runbook, runbook.env.example), runbook.env.example, process_env);
    if (!example) return std::unexpected(example.error());
    for (const auto& e : example->entries) {
      if (!d.declared_by.contains(e.key)) {
        d.names.push_back(e.key);
        d.declared_by[e.key] = runbook.env.example;
      }
    }
  }
  d.known.insert(d.names.begin(), d.names.end());
  d.known.insert(runbook.env.secret_names.begin(), runbook.env.secret_names.end());
  return d;
}

// Keys that were provided but nothing declares: likely typos of a declared key.
void warn_undeclared(const Runbook& runbook, const Declarations& decl,
                     const std::vector<std::string>& provided, EnvReport& report) {
  std::set<std::string> warned;
  for (const auto& key : provided) {
    if (decl.names.empty() || decl.known.contains(key) || !warned.insert(key).second) continue;
    auto found = report.values.find(key);
    if (found == report.values.end()) continue;  // refused as unsafe: already a problem
    std::string rule = key + " is not declared in " +
                       (runbook.env.example.empty() ? ".env.example" : runbook.env.example) +
                       " or env.required";
    if (std::string guess = closest(key, decl.names); !guess.empty()) {
      rule += "; did you mean " + guess + "?";
    }
    report.warnings.push_back({key, where_of(found->second), rule});
  }
}

}  // namespace

Result<EnvReport> check_release_env(const Runbook& runbook, const std::string& env_name,
                                    const std::map<std::string, std::string>& process_env,
                                    LocalProcess* local) {
  const Environment* env = runbook.find_environment(env_name);
  if (env == nullptr) return fail("unknown environment '" + env_name + "'");

  EnvReport report;
  auto decl = declarations_of(runbook, process_env);
  if (!decl) return std::unexpected(decl.error());
  const std::vector<std::string>& declared = decl->names;
  const std::set<std::string>& known = decl->known;
  auto& requirement = decl->requirement;
  auto& declared_by = decl->declared_by;

  // 1. The env file.
  std::vector<std::string> file_keys;
  if (!env->env_file.empty()) {
    std::string path = resolve(runbook, env->env_file);
    std::error_code ec;
    if (fs::exists(path, ec)) {
      auto file = load_dotenv_file(path, env->env_file, process_env);
      if (!file) return std::unexpected(file.error());
      for (auto& e : file->entries) {
        file_keys.push_back(e.key);
        report.values[e.key] = {std::move(e.value), env->env_file, e.line};
      }
    } else {
      report.warnings.push_back(
          {"", env->env_file, "env file not found; using the process environment only"});
    }
  }
  // 2. The env_from sources, in order.
  auto source_keys = merge_sources(runbook, *env, process_env, local, report);
  if (!source_keys) return std::unexpected(source_keys.error());
  file_keys.insert(file_keys.end(), source_keys->begin(), source_keys->end());
  // 3. The process environment, for keys this release knows about.
  std::set<std::string> relevant = known;
  relevant.insert(file_keys.begin(), file_keys.end());
  for (const auto& key : relevant) {
    if (auto it = process_env.find(key); it != process_env.end()) {
      report.values[key] = {it->second, kProcessEnv, 0};
    }
  }

  // Values golive cannot carry safely are refused by name before anything else sees them.
  const std::set<std::string> rejected = reject_uncarriable(report);
  report.secret_names = secret_names_of(runbook, declared, *source_keys, report);
  const std::set<std::string> secrets(report.secret_names.begin(), report.secret_names.end());

  // Every problem at once, never quoting a value.
  std::map<std::string, Result<EnvValues>> others;
  RequirementContext rc{env_name, runbook, process_env, local, others};
  for (const auto& key : declared) {
    if (rejected.contains(key)) continue;
    auto it = report.values.find(key);
    if (it == report.values.end()) {
      report.problems.push_back(
          {key, "(missing)", "required (declared in " + declared_by[key] + ") but missing"});
      continue;
    }
    const EnvValue& v = it->second;
    if (v.value.empty()) {
      report.problems.push_back(
          {key, where_of(v),
           v.source == kProcessEnv ? "is empty (set to an empty string in the process environment)"
                                   : "is empty"});
      continue;
    }
    if (auto r = requirement.find(key); r != requirement.end()) {
      check_requirement(*r->second, v, rc, report.problems);
    }
    if (secrets.contains(key) && looks_placeholder(v.value)) {
      report.problems.push_back(
          {key, where_of(v),
           "looks like a placeholder (changeme, TODO, <...>, xxx, ...), not a real secret"});
    }
  }
  for (const auto& [name, values] : others) {
    // Already "file:line: message"; it names the file compared against.
    if (!values) report.problems.push_back({"", "", values.error().message});
  }
  warn_undeclared(runbook, *decl, file_keys, report);
  return report;
}

std::vector<std::string> format_env_sources(const EnvReport& report) {
  std::vector<std::string> out;
  for (const auto& [key, v] : report.values) out.push_back(key + " <- " + where_of(v));
  return out;
}

void add_secrets(const EnvReport& report, Redactor& redactor) {
  for (const auto& name : report.secret_names) {
    if (auto it = report.values.find(name); it != report.values.end()) {
      redactor.add(name, it->second.value);
    }
  }
}

std::string render_env_file(const EnvReport& report) {
  // Single quotes keep every byte literal for /bin/sh; a quote inside is closed, escaped, reopened.
  std::string out = "# Written by golive; sourced with `set -a; . ./.env`. Do not edit.\n";
  for (const auto& [key, v] : report.values) {
    out += key + "='";
    for (char c : v.value) {
      if (c == '\'') {
        out += "'\\''";
      } else {
        out += c;
      }
    }
    out += "'\n";
  }
  return out;
}

std::string format_env_problem(const EnvProblem& problem) {
  std::string out = problem.where.empty() ? "" : problem.where + ": ";
  // Some rules already open with the key ("SMPT_HOST is not declared ...").
  if (!problem.key.empty() && !problem.rule.starts_with(problem.key + " ")) {
    out += problem.key + " ";
  }
  return out + problem.rule;
}

std::string format_secret_finding(const SecretFinding& finding) {
  return finding.file + "@" + std::to_string(finding.offset) + ": " + finding.what;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    out.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return out;
}

}  // namespace golive
