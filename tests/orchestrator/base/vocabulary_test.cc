// The vocabulary's spellings are stored in ledgers and hashed into their chains: they must never
// change, and every word must read back as the value that wrote it.
#include "golive/vocabulary.h"

#include <gtest/gtest.h>

#include <set>

namespace golive {
namespace {

TEST(Vocabulary, ReleaseStatusesKeepTheirStoredSpellings) {
  EXPECT_EQ(to_string(ReleaseStatus::kRunning), "running");
  EXPECT_EQ(to_string(ReleaseStatus::kSucceeded), "succeeded");
  EXPECT_EQ(to_string(ReleaseStatus::kBlocked), "blocked");
  EXPECT_EQ(to_string(ReleaseStatus::kFailed), "failed");
  EXPECT_EQ(to_string(ReleaseStatus::kRolledBack), "rolled_back");
  EXPECT_EQ(to_string(ReleaseStatus::kRollbackFailed), "rollback_failed");
  EXPECT_EQ(to_string(ReleaseStatus::kInterrupted), "interrupted");
}

TEST(Vocabulary, PhasesAndEventKindsKeepTheirStoredSpellings) {
  EXPECT_EQ(to_string(Phase::kBuild), "build");
  EXPECT_EQ(to_string(Phase::kDeploy), "deploy");
  EXPECT_EQ(to_string(Phase::kRollback), "rollback");
  EXPECT_EQ(to_string(Phase::kGate), "gate");
  EXPECT_EQ(to_string(Phase::kVerify), "verify");
  EXPECT_EQ(to_string(Phase::kSmoke), "smoke");
  EXPECT_EQ(to_string(EventKind::kLockTaken), "lock_taken");
  EXPECT_EQ(to_string(EventKind::kLockBroken), "lock_broken");
  EXPECT_EQ(to_string(EventKind::kHostKeyTrusted), "host_key_trusted");
  EXPECT_EQ(to_string(EventKind::kChanges), "changes");
  EXPECT_EQ(to_string(EventKind::kPreviousRelease), "previous_release");
  EXPECT_EQ(to_string(EventKind::kRollbackStarted), "rollback_started");
  EXPECT_EQ(to_string(EventKind::kRollbackFinished), "rollback_finished");
  EXPECT_EQ(to_string(EventKind::kBlocked), "blocked");
  EXPECT_EQ(to_string(EventKind::kNotification), "notification");
}

TEST(Vocabulary, EveryWordReadsBackAsTheValueThatWroteIt) {
  std::set<std::string_view> seen;
  for (ReleaseStatus s : kReleaseStatuses) {
    EXPECT_EQ(parse_release_status(to_string(s)), s);
    EXPECT_TRUE(seen.insert(to_string(s)).second) << "two statuses spelled " << to_string(s);
    EXPECT_TRUE(is(to_string(s), s));
  }
  for (Phase p : {Phase::kBuild, Phase::kDeploy, Phase::kRollback, Phase::kGate, Phase::kVerify,
                  Phase::kSmoke}) {
    EXPECT_EQ(parse_phase(to_string(p)), p);
  }
  for (int k = 0; k <= static_cast<int>(EventKind::kNotification); ++k) {
    const auto kind = static_cast<EventKind>(k);
    EXPECT_NE(to_string(kind), "?");
    EXPECT_EQ(parse_event_kind(to_string(kind)), kind);
  }
}

TEST(Vocabulary, UnknownWordsAreNotGuessed) {
  EXPECT_EQ(parse_release_status("Succeeded"), std::nullopt);
  EXPECT_EQ(parse_release_status(""), std::nullopt);
  EXPECT_EQ(parse_phase("deploying"), std::nullopt);
  EXPECT_EQ(parse_event_kind("host_key_changed"), std::nullopt);
  EXPECT_FALSE(is("rolled back", ReleaseStatus::kRolledBack));
}

}  // namespace
}  // namespace golive
