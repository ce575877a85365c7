// `golive diff ENV [REF]`: what a deploy of REF would change, code and config, against what the
// environment's hosts serve. Env keys by name and HMAC fingerprint, never by value.
#include "golive/env_check.h"
#include "orchestrator/cli/insight_commands.h"
#include "orchestrator/insight/insight_json.h"
#include "orchestrator/release/live_diff.h"
#include "orchestrator/release/target.h"

namespace golive {

int cmd_diff(AppContext& app, const std::string& environment, const std::string& ref_in) {
  Reporter& rep = *app.reporter;
  const std::string ref = ref_in.empty() ? "HEAD" : ref_in;
  auto target = load_target(app, environment);
  if (!target) return static_cast<int>(target.error().exit);
  const Runbook& rb = target->runbook;
  const Environment& env = target->env();
  auto repo = app.open_git(rb.dir);
  if (!repo) {
    rep.error(repo.error().message);
    return static_cast<int>(ExitCode::kUsage);
  }
  auto commit = (*repo)->resolve(ref);
  if (!commit) {
    rep.error(commit.error().message);
    return static_cast<int>(ExitCode::kUsage);
  }
  auto values = available_env_values(app, rb, env.name);
  ReleaseSide side = target_side(rb, env, commit->sha, values);
  auto fleet = connect_fleet(app, rb, env);
  if (!fleet) {
    rep.error(fleet.error().message);
    return static_cast<int>(fleet.error().exit);
  }
  auto diff = read_live_diff(app, rb, env, *fleet, **repo, ref, side);
  if (!diff) {
    rep.error(diff.error().message);
    return static_cast<int>(diff.error().exit);
  }
  const std::string out = app.options.json ? diff_json(*diff) + "\n" : format_diff(*diff);
  std::fputs(app.redactor.redact(out).c_str(), stdout);
  return 0;
}

}  // namespace golive
