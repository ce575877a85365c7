#include "orchestrator/release/live_diff.h"

#include <fstream>
#include <sstream>

#include "orchestrator/insight/insight_json.h"
#include "orchestrator/insight/release_fingerprint.h"
#include "steps/release_layout.h"

namespace golive {
namespace {

constexpr int kMaxCommits = 200;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Commits live..target from git, or why they are unknown.
void fill_commits(ReleaseDiff& d, GitRepo& repo) {
  if (d.nothing_live) return;
  if (d.live.commit.empty()) {
    d.commits_note = "unknown: the live release " + d.live.release + " has no manifest";
    return;
  }
  if (!repo.has_commit(d.live.commit)) {
    d.commits_note = "unknown: this repository does not contain the live commit " +
                     d.live.commit.substr(0, 12) + " (fetch it, or deployed from elsewhere)";
    return;
  }
  auto log = repo.log(d.live.commit, d.target.commit, kMaxCommits + 1);
  if (!log) {
    d.commits_note = "unknown: " + log.error().message;
    return;
  }
  d.commits = std::move(*log);
  if (d.commits.size() > static_cast<std::size_t>(kMaxCommits)) {
    d.commits.resize(kMaxCommits);
    d.commits_truncated = true;
  }
}

}  // namespace

ReleaseSide target_side(const Runbook& runbook, const Environment& env, const std::string& commit,
                        const std::map<std::string, std::string>& env_values) {
  ReleaseSide side;
  side.commit = commit;
  side.runbook_hash = runbook.content_hash;
  side.env_keys = env_fingerprints(runbook.app, env.name, env_values);
  side.has_env_keys = true;
  side.runbook_sections = runbook_section_hashes(slurp(runbook.file));
  side.has_sections = true;
  return side;
}

std::map<std::string, std::map<std::string, std::string>> manifest_insight_fields(
    const ReleaseSide& side) {
  return {{"env_keys", side.env_keys}, {"runbook_sections", side.runbook_sections}};
}

ReleaseDiff diff_against_live(RemoteHost& host, const std::string& root,
                              const std::string& live_release, GitRepo& repo,
                              const std::string& environment, const std::string& ref,
                              const ReleaseSide& target) {
  ReleaseSide live;
  live.release = live_release;
  if (!live_release.empty()) {
    auto manifest = read_release_manifest(host, root, live_release);
    if (manifest) live = side_from_manifest(*manifest);
    live.release = live_release;
  }
  ReleaseDiff d = diff_sides(live, target);
  d.environment = environment;
  d.target_ref = ref;
  d.nothing_live = live_release.empty();
  fill_commits(d, repo);
  return d;
}

Result<ReleaseDiff> read_live_diff(AppContext& app, const Runbook& runbook, const Environment& env,
                                   ConnectedFleet& fleet, GitRepo& repo, const std::string& ref,
                                   const ReleaseSide& target) {
  std::vector<HostState> states(env.hosts.size());
  std::vector<std::string> roots(env.hosts.size()), errors(env.hosts.size());
  for (std::size_t i = 0; i < env.hosts.size(); ++i) {
    auto root = host_root(runbook, env, env.hosts[i]);
    if (!root) return std::unexpected(root.error());
    roots[i] = *root;
  }
  for_each_host_parallel(env.hosts.size(), [&](std::size_t i) {
    auto st = read_host_state(*fleet.hosts[i], roots[i]);
    if (st)
      states[i] = std::move(*st);
    else
      errors[i] = st.error().message;
  });
  for (const auto& e : errors) {
    if (!e.empty()) return fail(e, ExitCode::kInfra);
  }
  for (std::size_t i = 1; i < states.size(); ++i) {
    if (states[i].current != states[0].current) {
      app.reporter->warn(env.hosts[i].name + " serves " +
                         (states[i].current.empty() ? "nothing" : states[i].current) + ", unlike " +
                         env.hosts[0].name + " (" + states[0].current + "): comparing with " +
                         env.hosts[0].name);
    }
  }
  return diff_against_live(*fleet.hosts[0], roots[0], states[0].current, repo, env.name, ref,
                           target);
}

}  // namespace golive
