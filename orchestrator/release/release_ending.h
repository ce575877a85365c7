// How every release ends, a deploy's or an on-call rollback's: the final status in the ledger,
// one line in each host's .golive/releases.log chained to the ledger's head, the lock released,
// the notifications sent, the outcome printed (console, CI, --json). One path, so the two
// commands cannot drift apart in what they leave behind.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "golive/remote_host.h"
#include "golive/runbook.h"
#include "golive/vocabulary.h"
#include "orchestrator/adapters/json/json.h"
#include "orchestrator/context/app_context.h"
#include "orchestrator/release/ci_report.h"
#include "orchestrator/release/notify.h"
#include "orchestrator/release/release_recorder.h"
#include "orchestrator/release/remote_lock.h"

namespace golive {

// Where the release ran: the hosts its ending writes to and who its notifications go to. Empty
// (no hosts) for a release that ended before it reached any host.
struct EndingScope {
  std::vector<RemoteHost*> hosts;  // index-aligned with roots
  std::vector<std::string> roots;
  const std::vector<Notify>* notify = nullptr;
  const std::map<std::string, std::string>* vars = nullptr;        // the environment's vars
  const std::map<std::string, std::string>* env_values = nullptr;  // for notify commands
};

// How one release ended and what to say about it; built by the command, told by ReleaseEnding.
struct ReleaseOutcome {
  ReleaseStatus status = ReleaseStatus::kFailed;
  ExitCode code = ExitCode::kOk;
  long long time_to_restore_ms = -1;  // recorded when >= 0
  // An event closing the story before the status (e.g. rollback_finished "FAILED: ..."), if any.
  std::optional<std::pair<EventKind, std::string>> closing_event;
  Json host_log;  // the releases.log line's own fields (time, ledger_head added); null: none
  std::vector<NotifyEvent> notifications;
  std::string summary;             // the last console line
  bool summary_is_error = false;   // printed as an error instead of a summary
  std::optional<DeployEnding> ci;  // published to the CI system when set
  Json result;                     // printed on stdout with --json; null: nothing
};

class ReleaseEnding {
 public:
  // `record` and `lock` belong to the command and outlive this.
  ReleaseEnding(AppContext& app, ReleaseRecorder& record, HeldLock& lock)
      : app_(app), record_(record), lock_(lock) {}

  // Set once the hosts are known; until then an ending touches no host.
  void set_scope(EndingScope scope) { scope_ = std::move(scope); }

  // Ends the release: ledger, hosts' releases.log, lock, notifications, outcome. Returns the
  // outcome's exit code. Nothing here fails the release: problems are warnings.
  int end(const ReleaseOutcome& outcome);

 private:
  void record(const ReleaseOutcome& outcome);
  void log_on_hosts(const Json& fields);
  void release_lock();
  void notify(const std::vector<NotifyEvent>& events);
  void report(const ReleaseOutcome& outcome);

  AppContext& app_;
  ReleaseRecorder& record_;
  HeldLock& lock_;
  EndingScope scope_;
};

}  // namespace golive
