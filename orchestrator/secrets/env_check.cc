// check_release_env: the release's environment, merged by precedence, checked against the
// runbook's declarations before any host is touched.
//
// Precedence (lowest to highest), documented for users in docs/env-and-secrets.md:
//   1. the environment's `env_file` (relative to the runbook's directory), if it exists;
//   2. the process environment (CI secrets) — but only for keys the release knows about: keys of
//      the env file, of env.example, of env.required and env.secrets. PATH, HOME and the rest of
//      the operator's environment never leak into the rendered .env.
// A key set in both is taken from the process environment, even when that value is empty (an
// unset CI secret often arrives as ""; the check then reports it rather than hiding it).
#include "golive/env_check.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>

#include "orchestrator/secrets/dotenv.h"

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

const RE2& compiled(const char* pattern) {
  // Built-in patterns only; user patterns are compiled per requirement below.
  static std::map<std::string, std::unique_ptr<RE2>> cache;
  static std::mutex mu;
  std::lock_guard lock(mu);
  auto& re = cache[pattern];
  if (!re) {
    re = std::make_unique<RE2>(pattern);
    if (!re->ok()) throw std::logic_error("built-in pattern does not compile: " + re->error());
  }
  return *re;
}

bool valid_port(const std::string& v) {
  if (v.empty() || v.size() > 5) return false;
  if (!std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  int n = std::atoi(v.c_str());
  return n >= 1 && n <= 65535;
}

bool valid_hostname(const std::string& v) {
  if (v.empty() || v.size() > 253) return false;
  return RE2::FullMatch(
      v,
      compiled(
          R"re([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?)re"));
}

// Empty when `value` is a valid `type`, else the broken rule.
std::string type_problem(const std::string& type, const std::string& value) {
  bool ok = true;
  if (type == "url") {
    ok = RE2::FullMatch(value, compiled(R"([A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#]+([/?#]\S*)?)"));
  } else if (type == "email") {
    ok = RE2::FullMatch(value, compiled(R"([^\s@]+@[^\s@]+\.[^\s@]+)"));
  } else if (type == "port") {
    ok = valid_port(value);
  } else if (type == "int") {
    ok = RE2::FullMatch(value, compiled(R"([+-]?[0-9]{1,18})"));
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

void check_requirement(const EnvRequirement& req, const EnvValue& v, const std::string& env_name,
                       const Runbook& runbook,
                       const std::map<std::string, std::string>& process_env,
                       std::map<std::string, Result<DotenvFile>>& other_files,
                       std::vector<EnvProblem>& problems) {
  auto problem = [&](std::string rule) { problems.push_back({req.name, where_of(v), rule}); };
  if (!req.pattern.empty()) {
    RE2::Options options;
    options.set_log_errors(false);
    RE2 re(req.pattern, options);
    if (!re.ok()) {
      problem("has an invalid pattern in env.required: " + re.error());
    } else if (!RE2::PartialMatch(v.value, re)) {
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
    if (other->env_file.empty()) return;
    std::string path = resolve(runbook, other->env_file);
    if (!other_files.contains(other->name)) {
      std::error_code ec;
      if (!fs::exists(path, ec)) return;  // nothing to compare against
      other_files.emplace(other->name, load_dotenv_file(path, other->env_file, process_env));
    }
    const auto& file = other_files.at(other->name);
    if (!file) return;  // reported once by the caller
    if (const DotenvEntry* e = file->find(req.name); e != nullptr && e->value == v.value) {
      problem("has the same value as in " + other->name + " (" + other->env_file + ":" +
              std::to_string(e->line) + "); " + env_name + " must use its own");
    }
  }
}

}  // namespace

Result<EnvReport> check_release_env(const Runbook& runbook, const std::string& env_name,
                                    const std::map<std::string, std::string>& process_env) {
  const Environment* env = runbook.find_environment(env_name);
  if (env == nullptr) return fail("unknown environment '" + env_name + "'");

  EnvReport report;

  // Declared keys, in order: env.required first (they carry rules), then .env.example's.
  std::vector<std::string> declared;
  std::map<std::string, const EnvRequirement*> requirement;
  std::map<std::string, std::string> declared_by;
  for (const auto& req : runbook.env.required) {
    if (requirement.emplace(req.name, &req).second) {
      declared.push_back(req.name);
      declared_by[req.name] = "env.required";
    }
  }
  if (!runbook.env.example.empty()) {
    auto example =
        load_dotenv_file(resolve(runbook, runbook.env.example), runbook.env.example, process_env);
    if (!example) return std::unexpected(example.error());
    for (const auto& e : example->entries) {
      if (!declared_by.contains(e.key)) {
        declared.push_back(e.key);
        declared_by[e.key] = runbook.env.example;
      }
    }
  }
  std::set<std::string> known(declared.begin(), declared.end());
  known.insert(runbook.env.secret_names.begin(), runbook.env.secret_names.end());

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
  // 2. The process environment, for keys this release knows about.
  std::set<std::string> relevant = known;
  relevant.insert(file_keys.begin(), file_keys.end());
  for (const auto& key : relevant) {
    if (auto it = process_env.find(key); it != process_env.end()) {
      report.values[key] = {it->second, kProcessEnv, 0};
    }
  }

  // Values golive cannot carry safely are refused by name (never quoted) before anything else
  // sees them: a huge one would blow up the redactor and the build's environment, and a NUL
  // byte cannot pass through the env file /bin/sh reads.
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

  // Secret names: declared secret, listed in env.secrets, or named like one.
  std::set<std::string> secrets(runbook.env.secret_names.begin(), runbook.env.secret_names.end());
  for (const auto& req : runbook.env.required) {
    if (req.secret) secrets.insert(req.name);
  }
  for (const auto& key : declared) {
    if (looks_secret_name(key)) secrets.insert(key);
  }
  for (const auto& [key, v] : report.values) {
    if (looks_secret_name(key)) secrets.insert(key);
  }
  report.secret_names.assign(secrets.begin(), secrets.end());

  // Every problem at once, never quoting a value.
  std::map<std::string, Result<DotenvFile>> other_files;
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
           v.line == 0 ? "is empty (set to an empty string in the process environment)"
                       : "is empty"});
      continue;
    }
    if (auto r = requirement.find(key); r != requirement.end()) {
      check_requirement(*r->second, v, env_name, runbook, process_env, other_files,
                        report.problems);
    }
    if (secrets.contains(key) && looks_placeholder(v.value)) {
      report.problems.push_back(
          {key, where_of(v),
           "looks like a placeholder (changeme, TODO, <...>, xxx, ...), not a real secret"});
    }
  }
  for (const auto& [name, file] : other_files) {
    // Already "file:line: message"; it names the file compared against.
    if (!file) report.problems.push_back({"", "", file.error().message});
  }
  for (const auto& key : file_keys) {
    if (declared.empty() || known.contains(key)) continue;
    const EnvValue& v = report.values.at(key);
    std::string rule = key + " is not declared in " +
                       (runbook.env.example.empty() ? ".env.example" : runbook.env.example) +
                       " or env.required";
    if (std::string guess = closest(key, declared); !guess.empty()) {
      rule += "; did you mean " + guess + "?";
    }
    report.warnings.push_back({key, where_of(v), rule});
  }
  return report;
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
