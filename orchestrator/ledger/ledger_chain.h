// The ledger's tamper evidence: an append-only hash chain of entries, and the verifier that
// replays it against the materialized tables. No storage here; the SQLite adapter feeds it.
//
// Every mutation appends one entry (seq, kind, release_id, canonical JSON payload) whose hash
// covers the previous entry's hash, so editing, deleting or reordering an entry breaks the chain
// at that entry. The tables (releases, step_runs, checks, events) are a materialized view of the
// chain: a row edited, deleted or inserted outside golive no longer matches what replaying the
// chain says, and verify names it. A writer with full file access can still rebuild the whole
// chain; the head hash copied to every host's releases.log (verify --hosts) catches that.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "golive/ledger.h"

namespace golive {

// prev_hash of the first entry.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Entry kinds; the payload of each is the JSON named in the comment (ledger_json.h).
namespace entry_kind {
inline constexpr std::string_view kReleaseBegun = "release_begun";        // release
inline constexpr std::string_view kReleaseImported = "release_imported";  // release
inline constexpr std::string_view kReleaseFinished =
    "release_finished";  // {status, finished_at, time_to_restore_ms}
inline constexpr std::string_view kReleaseInterrupted = "release_interrupted";  // {finished_at}
inline constexpr std::string_view kStep = "step";                               // step run
inline constexpr std::string_view kCheck = "check";                             // check result
inline constexpr std::string_view kEvent = "event";                             // event
}  // namespace entry_kind

struct LedgerEntry {
  std::int64_t seq = 0;
  std::string kind;
  std::string release_id;
  std::string payload;  // canonical JSON
  std::string prev_hash;
  std::string hash;
};

// Lowercase hex SHA-256 over the entry's position, link and content (unambiguous framing).
std::string entry_hash(std::string_view prev_hash, std::int64_t seq, std::string_view kind,
                       std::string_view release_id, std::string_view payload);

// Builds the entry that follows `prev` (seq 0 and kGenesisHash for the first entry).
LedgerEntry next_entry(std::int64_t prev_seq, std::string_view prev_hash, std::string_view kind,
                       std::string release_id, std::string payload);

// Applies a finish/interrupt entry's payload to a release (the replay rule, shared with writers).
void apply_release_update(ReleaseRecord& release, std::string_view kind, std::string_view payload);

// Feed entries in seq order, then every materialized row; finish() reports the first problem.
class ChainVerifier {
 public:
  void add_entry(const LedgerEntry& entry);
  void add_release_row(const ReleaseRecord& row);
  void add_step_row(std::int64_t entry_seq, const StepRunRecord& row);
  void add_check_row(std::int64_t entry_seq, const CheckRecord& row);
  void add_event_row(std::int64_t entry_seq, const EventRecord& row);
  // Adds a problem found outside the chain (e.g. the file's integrity check), reported first.
  void add_problem(std::string problem);
  VerifyReport finish();

 private:
  struct Expected {
    std::string kind;
    std::string label;  // e.g. "event lock_taken", for problems
    std::string release_id;
    std::string payload;
    bool seen = false;
  };
  void problem(std::int64_t order, std::string text);
  void add_row(std::int64_t entry_seq, std::string_view kind, const std::string& table,
               const std::string& row_json);

  std::int64_t next_seq_ = 1;
  std::string prev_hash_{kGenesisHash};
  std::int64_t records_ = 0;
  std::map<std::string, ReleaseRecord> releases_;
  std::map<std::string, std::int64_t> release_seq_;  // id -> entry that created it
  std::set<std::string> release_rows_seen_;
  std::map<std::int64_t, Expected> rows_;  // step/check/event entries by seq
  std::multimap<std::int64_t, std::string> problems_;
};

}  // namespace golive
