// `golive diff ENV [REF]`: what a deploy of REF would change, code and config, against what the
// environment's hosts serve. Env keys by name and HMAC fingerprint, never by value.
#include "golive/env_check.h"
#include "orchestrator/cli/insight_commands.h"
#include "orchestrator/insight/insight_json.h"
#include "orchestrator/release/live_diff.h"
#include "orchestrator/release/target.h"

namespace golive {

namespace {

// The diff of ENV against REF, reading the hosts and git; errors carry their exit code.
Result<ReleaseDiff> live_diff_for(AppContext& app, const std::string& environment,
                                  const std::string& ref) {
  auto target = load_target(app, environment);
  if (!target) return fail("", target.error().exit);  // load_target printed why
  const Runbook& rb = target->runbook;
  const Environment& env = target->env();
  auto repo = app.open_git(rb.dir);
  if (!repo) return fail(repo.error().message, ExitCode::kUsage);
  auto commit = (*repo)->resolve(ref);
  if (!commit) return fail(commit.error().message, ExitCode::kUsage);
  auto values = available_env_values(app, rb, env.name);
  ReleaseSide side = target_side(rb, env, commit->sha, values);
  auto fleet = connect_fleet(app, rb, env);
  if (!fleet) return std::unexpected(fleet.error());
  return read_live_diff(app, rb, env, *fleet, **repo, ref, side);
}

}  // namespace

int cmd_diff(AppContext& app, const std::string& environment, const std::string& ref_in) {
  const std::string ref = ref_in.empty() ? "HEAD" : ref_in;
  auto diff = live_diff_for(app, environment, ref);
  if (!diff) {
    // A runbook error was printed with every diagnostic already.
    if (!diff.error().message.empty()) app.reporter->error(diff.error().message);
    return static_cast<int>(diff.error().exit);
  }
  const std::string out = app.options.json ? diff_json(*diff) + "\n" : format_diff(*diff);
  std::fputs(app.redactor.redact(out).c_str(), stdout);
  return 0;
}

int cmd_plan_changes(AppContext& app, const std::string& environment) {
  auto diff = live_diff_for(app, environment, "HEAD");
  if (!diff) {
    app.reporter->warn("changes against what " + environment + " serves: unknown (" +
                       diff.error().message + ")");
    return 0;
  }
  const std::string line = "changes against what " + environment + " serves (golive diff " +
                           environment + "): " + diff_summary_line(*diff) + "\n";
  std::fputs(app.redactor.redact(line).c_str(), stdout);
  return 0;
}

}  // namespace golive
