// The ledger's schema history. Never edit a shipped migration: append a new one, bump
// kLedgerSchemaVersion, and extend the migration test with a file at the previous version.
#include "orchestrator/adapters/sqlite/sqlite_ledger.h"

namespace golive {

const std::vector<std::string_view>& ledger_migrations() {
  static const std::vector<std::string_view> kMigrations = {
      // v1: the chain and the tables it materializes.
      R"sql(
CREATE TABLE entries (
  seq INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  release_id TEXT NOT NULL DEFAULT '',
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE releases (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL DEFAULT '',
  environment TEXT NOT NULL,
  commit_sha TEXT NOT NULL DEFAULT '',
  ref TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  runbook_hash TEXT NOT NULL DEFAULT '',
  runbook_commit TEXT NOT NULL DEFAULT '',
  deployer TEXT NOT NULL DEFAULT '',
  trigger_kind TEXT NOT NULL DEFAULT 'cli',
  reason TEXT NOT NULL DEFAULT '',
  started_at TEXT NOT NULL DEFAULT '',
  finished_at TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  previous_release TEXT NOT NULL DEFAULT '',
  allow_dirty INTEGER NOT NULL DEFAULT 0,
  writer_pid INTEGER NOT NULL DEFAULT 0,
  writer_host TEXT NOT NULL DEFAULT '',
  writer_boot_id TEXT NOT NULL DEFAULT '',
  writer_start_ticks INTEGER NOT NULL DEFAULT 0,
  entry_seq INTEGER NOT NULL REFERENCES entries(seq)
);
CREATE TABLE step_runs (
  id INTEGER PRIMARY KEY,
  entry_seq INTEGER NOT NULL UNIQUE REFERENCES entries(seq),
  release_id TEXT NOT NULL REFERENCES releases(id),
  host TEXT NOT NULL DEFAULT '',
  step TEXT NOT NULL DEFAULT '',
  phase TEXT NOT NULL DEFAULT 'deploy',
  started_at TEXT NOT NULL DEFAULT '',
  finished_at TEXT NOT NULL DEFAULT '',
  exit_status INTEGER NOT NULL DEFAULT -1,
  outcome TEXT NOT NULL DEFAULT '',
  output_tail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE checks (
  id INTEGER PRIMARY KEY,
  entry_seq INTEGER NOT NULL UNIQUE REFERENCES entries(seq),
  release_id TEXT NOT NULL REFERENCES releases(id),
  check_name TEXT NOT NULL DEFAULT '',
  host TEXT NOT NULL DEFAULT '',
  phase TEXT NOT NULL DEFAULT 'gate',
  attempts INTEGER NOT NULL DEFAULT 0,
  p50_ms INTEGER NOT NULL DEFAULT 0,
  p95_ms INTEGER NOT NULL DEFAULT 0,
  passed INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT ''
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  entry_seq INTEGER NOT NULL UNIQUE REFERENCES entries(seq),
  release_id TEXT REFERENCES releases(id),  -- NULL: outside any release
  kind TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  at TEXT NOT NULL DEFAULT ''
);
)sql",
      // v2: CI run URL and time-to-restore; indexes for history/show/last_good/recover/verify
      // --hosts; the chain table becomes append-only (guards against accidents, not attackers:
      // tampering is what verify() is for).
      R"sql(
ALTER TABLE releases ADD COLUMN ci_url TEXT NOT NULL DEFAULT '';
ALTER TABLE releases ADD COLUMN time_to_restore_ms INTEGER NOT NULL DEFAULT -1;
CREATE INDEX releases_by_start ON releases(started_at DESC, id DESC);
CREATE INDEX releases_by_env_start ON releases(environment, started_at DESC, id DESC);
CREATE INDEX releases_by_env_status ON releases(environment, status, started_at DESC, id DESC);
CREATE INDEX releases_running ON releases(status) WHERE status = 'running';
CREATE INDEX step_runs_by_release ON step_runs(release_id, entry_seq);
CREATE INDEX checks_by_release ON checks(release_id, entry_seq);
CREATE INDEX events_by_release ON events(release_id, entry_seq);
CREATE UNIQUE INDEX entries_by_hash ON entries(hash);
CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
)sql",
  };
  return kMigrations;
}

}  // namespace golive
