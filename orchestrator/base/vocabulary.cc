#include "golive/vocabulary.h"

#include <utility>

namespace golive {
namespace {

// One table per enum: the only place a spelling is written.
template <typename E, std::size_t N>
using Spellings = std::array<std::pair<E, std::string_view>, N>;

constexpr Spellings<ReleaseStatus, 7> kStatusWords{{
    {ReleaseStatus::kRunning, "running"},
    {ReleaseStatus::kSucceeded, "succeeded"},
    {ReleaseStatus::kBlocked, "blocked"},
    {ReleaseStatus::kFailed, "failed"},
    {ReleaseStatus::kRolledBack, "rolled_back"},
    {ReleaseStatus::kRollbackFailed, "rollback_failed"},
    {ReleaseStatus::kInterrupted, "interrupted"},
}};

constexpr Spellings<Phase, 6> kPhaseWords{{
    {Phase::kBuild, "build"},
    {Phase::kDeploy, "deploy"},
    {Phase::kRollback, "rollback"},
    {Phase::kGate, "gate"},
    {Phase::kVerify, "verify"},
    {Phase::kSmoke, "smoke"},
}};

constexpr Spellings<EventKind, 12> kEventWords{{
    {EventKind::kLockTaken, "lock_taken"},
    {EventKind::kLockBroken, "lock_broken"},
    {EventKind::kHostKeyTrusted, "host_key_trusted"},
    {EventKind::kChanges, "changes"},
    {EventKind::kPreviousRelease, "previous_release"},
    {EventKind::kRollbackStarted, "rollback_started"},
    {EventKind::kRollbackFinished, "rollback_finished"},
    {EventKind::kBlocked, "blocked"},
    {EventKind::kBatch, "batch"},
    {EventKind::kBatchGate, "batch_gate"},
    {EventKind::kConfirm, "confirm"},
    {EventKind::kNotification, "notification"},
}};

template <typename E, std::size_t N>
std::string_view word_of(const Spellings<E, N>& words, E value) {
  for (const auto& [e, word] : words) {
    if (e == value) return word;
  }
  return "?";  // unreachable: every enumerator has a row (tests/orchestrator/base/vocabulary_test)
}

template <typename E, std::size_t N>
std::optional<E> value_of(const Spellings<E, N>& words, std::string_view text) {
  for (const auto& [e, word] : words) {
    if (word == text) return e;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(ReleaseStatus status) {
  return word_of(kStatusWords, status);
}
std::optional<ReleaseStatus> parse_release_status(std::string_view text) {
  return value_of(kStatusWords, text);
}
std::string_view to_string(Phase phase) {
  return word_of(kPhaseWords, phase);
}
std::optional<Phase> parse_phase(std::string_view text) {
  return value_of(kPhaseWords, text);
}
std::string_view to_string(EventKind kind) {
  return word_of(kEventWords, kind);
}
std::optional<EventKind> parse_event_kind(std::string_view text) {
  return value_of(kEventWords, text);
}

}  // namespace golive
