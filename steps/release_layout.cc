#include "steps/release_layout.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "golive/shell_quote.h"

namespace golive {
namespace {

bool valid_release_id(const std::string& id) {
  return !id.empty() &&
         id.find_first_not_of(
             "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
             "opqrstuvwxyz-_.") == std::string::npos &&
         id != "." && id != "..";
}

}  // namespace

bool HostState::is_bad(const std::string& id) const {
  return std::find(bad.begin(), bad.end(), id) != bad.end();
}

bool HostState::has(const std::string& id) const {
  return std::find(releases.begin(), releases.end(), id) != releases.end();
}

Status run_admin(RemoteHost& host, const std::string& command, const std::string& what) {
  ExecRequest req;
  req.command = command;
  req.timeout = std::chrono::seconds(60);
  GOLIVE_TRY(r, host.exec(req));
  if (r->exit_status != 0) {
    return fail(host.name() + ": " + what + " failed (exit " + std::to_string(r->exit_status) +
                    "): " + r->output,
                ExitCode::kInfra);
  }
  return {};
}

Result<HostState> read_host_state(RemoteHost& host, const std::string& root) {
  const std::string q = shell_quote(root);
  ExecRequest req;
  req.timeout = std::chrono::seconds(30);
  req.command = "cd " + q +
                " 2>/dev/null || exit 0; "
                "c=$(readlink current 2>/dev/null) && echo \"current=${c##*/}\"; "
                "for d in releases/*/; do [ -d \"$d\" ] || continue; d=${d%/}; "
                "echo \"release=${d##*/}\"; done; "
                "[ -f .golive/good ] && sed 's/^/good=/' .golive/good; "
                "[ -f .golive/bad ] && sed 's/^/bad=/' .golive/bad; exit 0";
  GOLIVE_TRY(r, host.exec(req));
  if (r->exit_status != 0) {
    return fail(host.name() + ": cannot read releases under " + root + ": " + r->output,
                ExitCode::kInfra);
  }
  HostState state;
  std::istringstream in(r->output);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "current") state.current = value;
    if (key == "release") state.releases.push_back(value);
    if (key == "good") state.good.push_back(value);
    if (key == "bad") state.bad.push_back(value);
  }
  std::sort(state.releases.begin(), state.releases.end());
  return state;
}

std::string previous_good_release(const std::vector<HostState>& states, const std::string& from,
                                  const std::set<std::string>& recorded_good) {
  if (states.empty()) return "";
  // The UTC-second prefix: within one second ids carry a random suffix, whose order means nothing.
  auto time_of = [](const std::string& id) { return id.substr(0, id.find('-')); };
  auto usable = [&](const std::string& id) {
    // Only older releases: a rollback never moves forward onto something newer.
    if (id.empty() || id == from || (!from.empty() && time_of(id) > time_of(from))) return false;
    return std::all_of(states.begin(), states.end(),
                       [&](const HostState& st) { return st.has(id) && !st.is_bad(id); });
  };
  auto newest = [&](const std::vector<std::string>& ids) {
    // Ties in one second (concurrent deploys from two machines): the one a host serves now, so a
    // clean-up never moves a live host sideways; else the later mark.
    auto live = [&](const std::string& id) {
      return std::any_of(states.begin(), states.end(),
                         [&](const HostState& st) { return st.current == id; });
    };
    std::string best;
    for (const auto& id : ids) {
      if (!usable(id)) continue;
      if (best.empty() || time_of(id) > time_of(best) ||
          (time_of(id) == time_of(best) && (live(id) || !live(best)))) {
        best = id;
      }
    }
    return best;
  };
  std::vector<std::string> good(recorded_good.begin(), recorded_good.end());
  for (const auto& st : states) good.insert(good.end(), st.good.begin(), st.good.end());
  if (!good.empty()) return newest(good);
  // Releases shipped before any gate ran have no `good` mark: the newest older one.
  return newest(states.front().releases);
}

std::string release_env_path(const std::string& root, const std::string& id) {
  return root + "/shared/env/" + id + ".env";
}

Status prepare_release_dir(RemoteHost& host, const std::string& root, const std::string& id) {
  // A plain mkdir: an existing dir of that id may be live (made by another run); never wipe it.
  if (!valid_release_id(id)) return fail("invalid release id '" + id + "'");
  const std::string q = shell_quote(root);
  return run_admin(host,
                   "umask 022 && mkdir -p " + q + "/releases " + q + "/shared " + q +
                       "/.golive && (umask 077 && mkdir -p " + q + "/shared/env) && cd " + q +
                       " && if [ -f shared/.env ] && [ ! -L shared/.env ] && "
                       "c=$(readlink current) && [ ! -e \"shared/env/${c##*/}.env\" ]; then "
                       "cp -p shared/.env \"shared/env/${c##*/}.env\"; fi && mkdir releases/" +
                       id,
                   "preparing " + root + "/releases/" + id);
}

Status switch_current(RemoteHost& host, const std::string& root, const std::string& id,
                      const std::vector<std::string>& shared, const std::string& manifest_json) {
  if (!valid_release_id(id)) return fail("invalid release id '" + id + "'");
  const std::string dir = root + "/releases/" + id;
  // A rollback passes no manifest: the restored release keeps its own (and skips the SFTP
  // round trips on the on-call path).
  if (!manifest_json.empty()) {
    if (auto w = host.write_file(dir + "/.golive-release.json", manifest_json, 0644); !w) return w;
  }
  std::string cmd = "set -e; cd " + shell_quote(root) + "; ";
  for (std::string path : shared) {
    bool is_dir = !path.empty() && path.back() == '/';
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (path.empty()) continue;
    const std::string sq = shell_quote("shared/" + path), rq = shell_quote(dir + "/" + path);
    cmd += is_dir ? "mkdir -p " + sq + "; " : "mkdir -p \"$(dirname " + sq + ")\"; ";
    cmd += "rm -rf " + rq + "; mkdir -p \"$(dirname " + rq + ")\"; ln -s " +
           shell_quote(root + "/shared/" + path) + " " + rq + "; ";
  }
  cmd += "if [ -f shared/env/" + id + ".env ]; then ln -sfn env/" + id + ".env shared/.env.tmp." +
         id + " && mv -T shared/.env.tmp." + id + " shared/.env; fi; ";
  cmd += "ln -sfn releases/" + id + " .current.tmp." + id + " && mv -T .current.tmp." + id +
         " current";
  return run_admin(host, cmd, "switching current to " + id);
}

Result<std::string> read_release_manifest(RemoteHost& host, const std::string& root,
                                          const std::string& id) {
  if (!valid_release_id(id)) return fail("invalid release id '" + id + "'");
  ExecRequest req;
  req.timeout = std::chrono::seconds(30);
  req.command = "cat " + shell_quote(root + "/releases/" + id + "/.golive-release.json") +
                " 2>/dev/null; exit 0";
  auto r = host.exec(req);
  if (!r) return std::unexpected(r.error());
  return r->output;
}

Status append_release_log(RemoteHost& host, const std::string& root, const std::string& json_line) {
  const std::string q = shell_quote(root);
  return run_admin(host,
                   "mkdir -p " + q + "/.golive && printf '%s\\n' " + shell_quote(json_line) +
                       " >> " + q + "/.golive/releases.log",
                   "appending to releases.log");
}

Status mark_release(RemoteHost& host, const std::string& root, const std::string& id, bool good) {
  if (!valid_release_id(id)) return fail("invalid release id '" + id + "'");
  const std::string q = shell_quote(root);
  return run_admin(host,
                   "mkdir -p " + q + "/.golive && echo " + id + " >> " + q + "/.golive/" +
                       (good ? "good" : "bad"),
                   std::string("marking ") + id + (good ? " good" : " bad"));
}

Status remove_release_dir(RemoteHost& host, const std::string& root, const std::string& id) {
  if (!valid_release_id(id)) return fail("invalid release id '" + id + "'");
  // The last guard: whatever the caller believes, the live release is never deleted.
  return run_admin(host,
                   "cd " + shell_quote(root) +
                       " || exit 1; if [ \"$(readlink current)\" = releases/" + id +
                       " ]; then echo 'refusing: current points at it' >&2; exit 1; fi; " +
                       "rm -rf releases/" + id + " shared/env/" + id + ".env",
                   "removing release " + id);
}

Result<std::vector<std::string>> prune_releases(RemoteHost& host, const std::string& root,
                                                int keep) {
  GOLIVE_TRY(state, read_host_state(host, root));
  std::set<std::string> protect{state->current};
  if (!state->good.empty()) protect.insert(state->good.back());
  // What `golive rollback` would restore from current (older good ones may be marked bad since).
  if (auto target = previous_good_release({*state}, state->current); !target.empty()) {
    protect.insert(target);
  }
  std::vector<std::string> doomed;
  int kept = 0;
  for (auto it = state->releases.rbegin(); it != state->releases.rend(); ++it) {
    if (protect.count(*it) || kept < keep) {
      ++kept;
      continue;
    }
    if (valid_release_id(*it)) doomed.push_back(*it);
  }
  if (doomed.empty()) return doomed;
  // The doomed releases leave releases/ at once (one rename each); deleting their files can take
  // seconds on a busy disk and nobody waits for it, so it runs detached on the host. A prune
  // interrupted half-way leaves .golive/prune.* behind: the next prune deletes those too.
  const std::string q = shell_quote(root);
  std::string cmd =
      "set -e; cd " + q + "/releases; t=$(mktemp -d " + q + "/.golive/prune.XXXXXX); mv --";
  for (const auto& id : doomed) cmd += " " + id;
  cmd += " \"$t\"/; rm -f";
  for (const auto& id : doomed) cmd += " ../shared/env/" + id + ".env";
  cmd += "; nohup rm -rf -- " + q + "/.golive/prune.* </dev/null >/dev/null 2>&1 &";
  GOLIVE_RETURN_IF_ERROR(run_admin(host, cmd, "pruning old releases"));
  return doomed;
}

}  // namespace golive
