// PostgreSQL ledger adapter: one shared ledger for CI runners, laptops and on-call. The same
// hash chain and tables as the SQLite ledger, behind the same Ledger interface.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "golive/error.h"
#include "golive/ledger.h"

namespace golive {

// The schema this build writes (golive_schema.version of a current database).
inline constexpr int kPostgresLedgerSchemaVersion = 1;

struct PostgresLedgerOptions {
  // How often a writer touches releases.heartbeat_at while one of its releases runs.
  std::chrono::milliseconds heartbeat_interval{30'000};
  // A `running` release whose heartbeat is older than this is `interrupted` (its writer, on
  // whatever machine, stopped beating). Server time is used on both sides: no clock skew.
  std::chrono::milliseconds stale_after{5 * 60'000};
  int connect_timeout_s = 5;
};

// Opens the ledger at `url` (postgresql://user@host:port/db?..., libpq rules; password from the
// URL, PGPASSWORD or ~/.pgpass), creating and migrating its schema on first use. Every message
// names the URL with its password replaced by ***.
Result<std::unique_ptr<Ledger>> open_postgres_ledger(const std::string& url,
                                                     const PostgresLedgerOptions& options = {});

// The DDL of each migration; migration i (0-based) takes version i to i + 1.
const std::vector<std::string_view>& postgres_ledger_migrations();

}  // namespace golive
