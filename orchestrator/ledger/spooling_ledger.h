// A Ledger that keeps a deploy recording when its ledger cannot be written mid-release: a write
// that fails with an infrastructure error (a shared server unreachable, an SQLite file on a full
// disk) is appended to a local spool file instead, and so is every write after it (the chain
// must keep the order things happened). The spool is replayed, in order, into the ledger by the
// next command that opens it and can write it. Generic: it wraps any Ledger, knows no database.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "golive/ledger.h"

namespace golive {

struct SpoolReplay {
  int replayed = 0;   // records written into the ledger
  int remaining = 0;  // still spooled (the server failed again mid-replay)
  int rejected = 0;   // refused by the ledger (kept in SPOOL.rejected for a human)
};

// Replays `spool_path` into `ledger` in order; rewrites the spool with what is left. A missing
// spool is nothing to do. Holds an exclusive lock on the spool while replaying.
Result<SpoolReplay> replay_spool(Ledger& ledger, const std::string& spool_path);

// Wraps `inner`: reads pass through; writes that fail with ExitCode::kInfra go to `spool_path`
// (fsynced) and return ok after `warn` has said so once. Starts spooling at once when the spool
// still holds records (so nothing overtakes them).
std::unique_ptr<Ledger> make_spooling_ledger(std::unique_ptr<Ledger> inner, std::string spool_path,
                                             std::function<void(const std::string&)> warn);

}  // namespace golive
