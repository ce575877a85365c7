#include "orchestrator/release/release_ending.h"

#include <cstdio>

#include "golive/crash_point.h"

#include "orchestrator/release/target.h"
#include "steps/release_layout.h"

namespace golive {

int ReleaseEnding::end(const ReleaseOutcome& outcome) {
  // 1. The ledger: how the release ended (and how fast it was restored).
  record(outcome);
  crash_point("after-finish-record");
  // 2. Every host's releases.log, chained to the ledger by its head: the hosts keep their own
  //    history even when the ledger is lost.
  log_on_hosts(outcome.host_log);
  // 3. The lock, so the next deploy or rollback may start.
  release_lock();
  // 4. Whoever subscribed to this outcome.
  notify(outcome.notifications);
  // 5. The outcome for the person or pipeline that asked: console, CI, --json.
  report(outcome);
  return static_cast<int>(outcome.code);
}

void ReleaseEnding::record(const ReleaseOutcome& outcome) {
  if (outcome.closing_event) {
    record_.event(outcome.closing_event->first, outcome.closing_event->second);
  }
  record_.finish(outcome.status, iso8601(app_.clock->wall()), outcome.time_to_restore_ms);
}

void ReleaseEnding::log_on_hosts(const Json& fields) {
  if (fields.is_null() || scope_.hosts.empty()) return;
  Json line = fields;
  line["time"] = iso8601(app_.clock->wall());
  line["ledger_head"] = record_.chain_head();
  const std::string text = app_.redactor.redact(line.dump());
  for_each_host_parallel(scope_.hosts.size(), [&](std::size_t i) {
    if (auto s = append_release_log(*scope_.hosts[i], scope_.roots[i], text); !s) {
      app_.reporter->warn(s.error().message);
    }
  });
}

void ReleaseEnding::release_lock() {
  if (auto s = lock_.release(); !s) {
    app_.reporter->warn("could not release the deploy lock: " + s.error().message);
  }
}

void ReleaseEnding::notify(const std::vector<NotifyEvent>& events) {
  if (scope_.notify == nullptr) return;
  for (const auto& event : events) {
    send_notifications(app_, *scope_.notify, *scope_.vars, *scope_.env_values, event,
                       record_.ledger());
  }
}

void ReleaseEnding::report(const ReleaseOutcome& outcome) {
  if (outcome.summary_is_error) {
    app_.reporter->error(outcome.summary);
  } else {
    app_.reporter->summary(outcome.summary);
  }
  if (outcome.ci) publish_deploy_to_ci(app_, record_.ledger(), *outcome.ci);
  if (app_.options.json && !outcome.result.is_null()) {
    std::printf("%s\n", app_.redactor.redact(outcome.result.dump()).c_str());
  }
}

}  // namespace golive
