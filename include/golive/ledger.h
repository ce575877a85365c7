// The release ledger: who shipped what, every step and check, every rollback; hash-chained.
// Adapters: SQLite (orchestrator/adapters/sqlite/, a file) and PostgreSQL
// (orchestrator/adapters/postgres/, a shared server); the rest of golive sees only this interface.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "golive/error.h"

namespace golive {

// Statuses: running|succeeded|blocked|failed|rolled_back|rollback_failed|interrupted.
struct ReleaseRecord {
  std::string id;
  std::string app;
  std::string environment;
  std::string commit;
  std::string ref;
  std::string subject;
  std::string runbook_hash;
  std::string runbook_commit;
  std::string deployer;
  std::string trigger = "cli";  // cli|ci|rollback
  std::string ci_url;
  std::string reason;
  std::string started_at;   // ISO-8601 UTC
  std::string finished_at;  // empty while running
  std::string status = "running";
  std::string previous_release;
  std::int64_t time_to_restore_ms = -1;  // -1: not applicable
  bool allow_dirty = false;
  // Filled by the ledger on begin_release (empty/0 for imported releases): the writing process,
  // so recover_interrupted can tell a release still running elsewhere from one whose writer died.
  std::int64_t writer_pid = 0;
  std::string writer_host;
  std::string writer_boot_id;           // /proc/sys/kernel/random/boot_id
  std::int64_t writer_start_ticks = 0;  // /proc/<pid>/stat starttime: guards against pid reuse
};

struct StepRunRecord {
  std::string release_id;
  std::string host;
  std::string step;
  std::string phase = "deploy";  // deploy|rollback|build
  std::string started_at;
  std::string finished_at;
  int exit_status = -1;
  std::string outcome;      // StepOutcome name
  std::string output_tail;  // redacted
};

struct CheckRecord {
  std::string release_id;
  std::string check;
  std::string host;            // empty when run once
  std::string phase = "gate";  // gate|verify|smoke
  int attempts = 0;
  std::int64_t p50_ms = 0;
  std::int64_t p95_ms = 0;
  bool passed = false;
  std::string reason;  // redacted
};

struct EventRecord {
  std::string release_id;  // may be empty (lock broken outside a release)
  std::string kind;        // lock_taken|lock_broken|host_key_trusted|rollback_started|...
  std::string detail;      // redacted
  std::string at;
};

struct ReleaseDetail {
  ReleaseRecord release;
  std::vector<StepRunRecord> steps;
  std::vector<CheckRecord> checks;
  std::vector<EventRecord> events;
};

struct HistoryQuery {
  std::string environment;  // empty: all
  int limit = 20;
  std::string since;  // ISO-8601 date or time; empty: no bound
};

struct VerifyReport {
  bool ok = true;
  std::int64_t records = 0;
  std::string head;           // latest chain hash
  std::string first_problem;  // names the first edited/deleted/reordered record
  // Every problem found, in chain order (first_problem first).
  std::vector<std::string> problems;
};

class Ledger {
 public:
  virtual ~Ledger() = default;
  // Each call is one transaction, durable on return (a crash loses at most the step in flight).
  virtual Status begin_release(const ReleaseRecord& release) = 0;
  virtual Status record_step(const StepRunRecord& step) = 0;
  virtual Status record_check(const CheckRecord& check) = 0;
  // Records many steps in one transaction, in order (group commit: one fsync for a whole wave of
  // hosts finishing a step, instead of one per host-step).
  virtual Status record_steps(const std::vector<StepRunRecord>& steps) {
    for (const auto& step : steps) {
      if (auto s = record_step(step); !s) return s;
    }
    return {};
  }
  virtual Status record_event(const EventRecord& event) = 0;
  // Sets the final status (and time_to_restore when >= 0).
  virtual Status finish_release(const std::string& id, const std::string& status,
                                const std::string& finished_at,
                                std::int64_t time_to_restore_ms) = 0;
  // Marks releases left `running` by a dead process as `interrupted`; returns them.
  virtual Result<std::vector<ReleaseRecord>> recover_interrupted() = 0;
  virtual Result<std::vector<ReleaseRecord>> history(const HistoryQuery& query) = 0;
  virtual Result<ReleaseDetail> show(const std::string& id) = 0;
  // Latest succeeded release of an environment, if any.
  virtual Result<std::optional<ReleaseRecord>> last_good(const std::string& environment) = 0;
  virtual Result<VerifyReport> verify() = 0;
  // Imports a release known from a host's releases.log when the ledger lacks it (ledger sync).
  virtual Result<bool> import_release(const ReleaseRecord& release) = 0;
  // Imports many releases in one transaction (ledger sync of a long log); returns how many were
  // new.
  virtual Result<int> import_releases(const std::vector<ReleaseRecord>& releases) {
    int added = 0;
    for (const auto& release : releases) {
      auto r = import_release(release);
      if (!r) return std::unexpected(r.error());
      added += *r ? 1 : 0;
    }
    return added;
  }
  // Imports a whole release from another ledger (ledger push): the release as imported, then its
  // steps, checks and events. False when the ledger already has that release id (nothing
  // written), so pushing twice duplicates nothing.
  virtual Result<bool> import_detail(const ReleaseDetail& detail) {
    auto added = import_release(detail.release);
    if (!added || !*added) return added;
    if (auto s = record_steps(detail.steps); !s) return std::unexpected(s.error());
    for (const auto& check : detail.checks) {
      if (auto s = record_check(check); !s) return std::unexpected(s.error());
    }
    for (const auto& event : detail.events) {
      if (auto s = record_event(event); !s) return std::unexpected(s.error());
    }
    return true;
  }
  // The latest chain hash (what the CLI writes to each host's releases.log), without a full verify.
  virtual Result<std::string> head() { return fail("this ledger has no hash chain"); }
  // Whether `hash` is a point of this ledger's chain (verify --hosts: a head recorded on a host
  // that the ledger does not contain means the ledger was rewritten or is from elsewhere).
  virtual Result<bool> contains_hash(const std::string& hash) {
    (void)hash;
    return fail("this ledger has no hash chain");
  }
};

// Opens (creating and migrating as needed) the ledger at `path`; a corrupt file is a clear error.
Result<std::unique_ptr<Ledger>> open_sqlite_ledger(const std::string& path);

}  // namespace golive
