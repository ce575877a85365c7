// SQLite ledger adapter: options and test hooks beyond golive/ledger.h's open_sqlite_ledger.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "golive/error.h"
#include "golive/ledger.h"

namespace golive {

// The schema this build writes; PRAGMA user_version of a current ledger file.
inline constexpr int kLedgerSchemaVersion = 2;

struct SqliteLedgerOptions {
  // How long a writer waits for another golive process holding the write lock (CI job + on-call
  // rollback on one ledger): long, because a deploy's write is short and failing is worse.
  std::chrono::milliseconds busy_timeout{60'000};
};

Result<std::unique_ptr<Ledger>> open_sqlite_ledger(const std::string& path,
                                                   const SqliteLedgerOptions& options);

// The DDL of each migration; migration i (0-based) takes user_version i to i + 1.
const std::vector<std::string_view>& ledger_migrations();

// Creates an empty ledger file at an older schema `version`, as an older golive left it
// (migration tests).
Status create_sqlite_ledger_at_version(const std::string& path, int version);

}  // namespace golive
