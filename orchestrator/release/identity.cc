#include "orchestrator/release/identity.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <random>
#include <string_view>

#include "golive/git_repo.h"

namespace golive {
namespace {

using Env = std::map<std::string, std::string>;

// The variable's value with surrounding whitespace removed; empty when unset.
std::string get(const Env& env, const std::string& key) {
  auto it = env.find(key);
  if (it == env.end()) return "";
  std::string_view v = it->second;
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
  return std::string(v);
}

bool truthy(const std::string& value) {
  std::string v = value;
  std::transform(v.begin(), v.end(), v.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return v == "true" || v == "1" || v == "yes";
}

// Identities end up in the ledger, JSON and terminal: keep them on one printable line.
std::string printable(std::string s) {
  for (char& c : s) {
    if (std::iscntrl(static_cast<unsigned char>(c))) c = ' ';
  }
  return s;
}

std::string os_user(const Env& env) {
  for (const char* key : {"USER", "LOGNAME"}) {
    if (std::string u = get(env, key); !u.empty()) return u;
  }
  if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr && pw->pw_name != nullptr) {
    return pw->pw_name;
  }
  return "unknown";
}

}  // namespace

std::string local_host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

bool running_in_ci(const Env& env) {
  if (truthy(get(env, "CI"))) return true;
  return truthy(get(env, "GITHUB_ACTIONS")) || truthy(get(env, "GITLAB_CI")) ||
         truthy(get(env, "BUILDKITE")) || truthy(get(env, "CIRCLECI"));
}

std::string detect_deployer(GitRepo* repo, const Env& env) {
  if (running_in_ci(env)) {
    // Provider-specific actors first: they name the human who triggered the run.
    const std::pair<const char*, const char*> actors[] = {
        {"GITHUB_ACTOR", "github:"},
        {"GITLAB_USER_LOGIN", "gitlab:"},
        {"BUILDKITE_BUILD_CREATOR", "buildkite:"},
        {"CIRCLE_USERNAME", "circleci:"},
    };
    for (const auto& [key, prefix] : actors) {
      if (std::string actor = get(env, key); !actor.empty()) return printable(prefix + actor);
    }
    if (std::string user = get(env, "USER"); !user.empty()) return printable("ci:" + user);
  }
  if (repo != nullptr) {
    if (std::string user = repo->configured_user(); !user.empty()) return printable(user);
  }
  return printable(os_user(env) + "@" + local_host_name());
}

std::string detect_trigger(const Env& env) {
  return running_in_ci(env) ? "ci" : "cli";
}

std::string ci_run_url(const Env& env) {
  if (!running_in_ci(env)) return "";
  const std::string repo = get(env, "GITHUB_REPOSITORY");
  const std::string run = get(env, "GITHUB_RUN_ID");
  if (!repo.empty() && !run.empty()) {
    std::string server = get(env, "GITHUB_SERVER_URL");
    if (server.empty()) server = "https://github.com";
    while (!server.empty() && server.back() == '/') server.pop_back();
    return server + "/" + repo + "/actions/runs/" + run;
  }
  for (const char* key : {"CI_JOB_URL", "BUILDKITE_BUILD_URL", "CIRCLE_BUILD_URL"}) {
    if (std::string url = get(env, key); !url.empty()) return url;
  }
  return "";
}

std::string make_release_id(std::chrono::system_clock::time_point at, const std::string& sha,
                            std::uint16_t nonce) {
  const std::time_t secs =
      std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(at));
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  // The id becomes a directory name on every host: only hex digits may come from the input.
  std::string short_sha;
  for (char c : sha) {
    if (short_sha.size() == 7 || !std::isxdigit(static_cast<unsigned char>(c))) break;
    short_sha += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (short_sha.empty()) short_sha = "0000000";
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "-%04x", static_cast<unsigned>(nonce));
  return std::string(stamp) + "-" + short_sha + suffix;
}

std::uint16_t random_release_nonce() {
  std::random_device rd;  // the OS's random source (getrandom), not a seeded PRNG
  return static_cast<std::uint16_t>(rd());
}

std::string release_time(const std::string& id) {
  return id.substr(0, id.find('-'));
}

}  // namespace golive
