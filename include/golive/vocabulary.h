// The words a release's story is told in: its status, the phase a step or check ran in, the kind
// of an event. Typed here, with one spelling each: the ledger stores these strings and hashes
// them into its chain, so a spelling never changes.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace golive {

// How a release stands in the ledger.
enum class ReleaseStatus {
  kRunning,         // "running": begun, not finished (or its process died: see kInterrupted)
  kSucceeded,       // "succeeded": passed its gate, hosts marked it good
  kBlocked,         // "blocked": stopped before any host changed (validation, env, build, lock)
  kFailed,          // "failed": failed without a restore to speak of (nothing switched, infra)
  kRolledBack,      // "rolled_back": failed, restored and verified
  kRollbackFailed,  // "rollback_failed": the restore failed or ran over budget; a human must act
  kInterrupted,     // "interrupted": a signal or a dead process ended it
};

// Every status, in the order reports list them.
inline constexpr std::array kReleaseStatuses = {
    ReleaseStatus::kRunning,    ReleaseStatus::kSucceeded,  ReleaseStatus::kBlocked,
    ReleaseStatus::kFailed,     ReleaseStatus::kRolledBack, ReleaseStatus::kRollbackFailed,
    ReleaseStatus::kInterrupted};

// The stored spelling ("rolled_back").
std::string_view to_string(ReleaseStatus status);
// The status a record spells, or nullopt for a word golive never wrote.
std::optional<ReleaseStatus> parse_release_status(std::string_view text);
// Whether `text` spells `status` (for records read back, whose status is stored text).
inline bool is(std::string_view text, ReleaseStatus status) {
  return text == to_string(status);
}

// When a step or check ran: steps in build|deploy|rollback, checks in gate|verify|smoke.
enum class Phase { kBuild, kDeploy, kRollback, kGate, kVerify, kSmoke };

// The stored spelling ("verify").
std::string_view to_string(Phase phase);
// The phase a record spells, or nullopt.
std::optional<Phase> parse_phase(std::string_view text);
inline bool is(std::string_view text, Phase phase) {
  return text == to_string(phase);
}

// What an event in a release's story records.
enum class EventKind {
  kLockTaken,         // "lock_taken": host:root of the deploy lock
  kLockBroken,        // "lock_broken": the holder of a stale or dead lock that was broken
  kHostKeyTrusted,    // "host_key_trusted": `golive hosts trust` accepted a key
  kChanges,           // "changes": what the release changes against what is live
  kPreviousRelease,   // "previous_release": what the first host served before
  kRollbackStarted,   // "rollback_started": why, and the target
  kRollbackFinished,  // "rollback_finished": how it ended
  kBlocked,           // "blocked": why the release stopped before touching a host
  kBatch,             // "batch": which hosts a batch of the rollout held
  kBatchGate,         // "batch_gate": the verdict of one batch's gate
  kConfirm,           // "confirm": how a production deploy was confirmed (or refused)
  kNotification,      // "notification": one notification attempt and its result
};

// The stored spelling ("rollback_started").
std::string_view to_string(EventKind kind);
// The kind a record spells, or nullopt (older or newer golive may write others).
std::optional<EventKind> parse_event_kind(std::string_view text);
inline bool is(std::string_view text, EventKind kind) {
  return text == to_string(kind);
}

// std::string forms, for concatenation and the ledger's string fields.
inline std::string str(ReleaseStatus s) {
  return std::string(to_string(s));
}
inline std::string str(Phase p) {
  return std::string(to_string(p));
}
inline std::string str(EventKind k) {
  return std::string(to_string(k));
}

}  // namespace golive
