#include "orchestrator/release/notify.h"

#include <algorithm>

#include "golive/interpolate.h"
#include "golive/vocabulary.h"
#include "orchestrator/adapters/json/json.h"

namespace golive {

std::string notify_payload(const NotifyEvent& e, const Redactor& redactor) {
  std::string icon = is(e.event, ReleaseStatus::kSucceeded)    ? ":white_check_mark:"
                     : is(e.event, ReleaseStatus::kRolledBack) ? ":leftwards_arrow_with_hook:"
                     : e.event == "started"                    ? ":rocket:"
                                                               : ":rotating_light:";
  std::string text =
      icon + " " + e.app + " " + e.environment + ": release " + e.release + " " + e.event;
  if (!e.commit.empty()) text += " (commit " + e.commit.substr(0, 7) + " by " + e.who + ")";
  if (!e.what_failed.empty()) text += "\nfailed: " + e.what_failed;
  // A `started` event carries the diff summary where outcomes carry why they ended.
  if (!e.why.empty()) text += (e.event == "started" ? "\nchanges: " : "\nwhy: ") + e.why;
  if (e.time_to_restore_ms >= 0) {
    text += "\ntime to restore: " + std::to_string(e.time_to_restore_ms) + " ms";
  }
  if (is(e.event, ReleaseStatus::kRollbackFailed))
    text += "\nPRODUCTION MAY BE BROKEN: a human must act now.";
  Json j = {
      {"text", text},         {"event", e.event},   {"app", e.app}, {"environment", e.environment},
      {"release", e.release}, {"commit", e.commit}, {"who", e.who}, {"what_failed", e.what_failed},
      {"why", e.why}};
  if (e.time_to_restore_ms >= 0) j["time_to_restore_ms"] = e.time_to_restore_ms;
  if (e.event == "started") j["changes"] = e.why;
  return redactor.redact(j.dump());
}

void send_notifications(AppContext& app, const std::vector<Notify>& targets,
                        const std::map<std::string, std::string>& vars,
                        const std::map<std::string, std::string>& env_values,
                        const NotifyEvent& event, Ledger* ledger) {
  const std::string payload = notify_payload(event, app.redactor);
  TemplateContext ctx;
  ctx.vars = &vars;
  ctx.env = &env_values;
  for (const auto& target : targets) {
    if (std::find(target.on.begin(), target.on.end(), event.event) == target.on.end()) continue;
    std::string outcome;
    if (!target.webhook.empty()) {
      auto url = render(target.webhook, ctx, Quoting::kNone);
      Status sent = url ? app.send_webhook(*url, payload) : Status(std::unexpected(url.error()));
      if (!sent) {
        // The payload already carries one retry inside send_webhook; this is the final word.
        app.reporter->warn("notification (" + event.event +
                           ") not delivered: " + sent.error().message);
        outcome = "webhook failed: " + sent.error().message;
      } else {
        outcome = "webhook delivered";
      }
    }
    if (!target.command.empty()) {
      auto cmd = render(target.command, ctx, Quoting::kShell);
      LocalRequest req;
      req.command = cmd ? *cmd : "false";
      req.env = env_values;
      req.env["GOLIVE_EVENT"] = event.event;
      req.stdin_data = payload;
      req.timeout = std::chrono::seconds(30);
      auto r = app.local->run(req);
      bool ok = r && r->exit_status == 0;
      if (!ok) app.reporter->warn("notification command (" + event.event + ") failed");
      outcome += std::string(outcome.empty() ? "" : "; ") + (ok ? "command ran" : "command failed");
    }
    if (ledger) {
      (void)ledger->record_event({event.release, str(EventKind::kNotification),
                                  app.redactor.redact(event.event + ": " + outcome),
                                  iso8601(std::chrono::system_clock::now())});
    }
  }
}

}  // namespace golive
