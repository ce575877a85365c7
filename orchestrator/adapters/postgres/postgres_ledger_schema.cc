// The PostgreSQL ledger's schema history. Never edit a shipped migration: append one and bump
// kPostgresLedgerSchemaVersion. Same tables and columns as the SQLite ledger (v2), plus
// releases.heartbeat_at (shared-ledger interrupted detection).
#include "orchestrator/adapters/postgres/postgres_ledger.h"

namespace golive {

const std::vector<std::string_view>& postgres_ledger_migrations() {
  static const std::vector<std::string_view> kMigrations = {
      R"sql(
CREATE TABLE golive_schema (version integer NOT NULL);
INSERT INTO golive_schema VALUES (0);
CREATE TABLE entries (
  seq bigint PRIMARY KEY,
  kind text NOT NULL,
  release_id text NOT NULL DEFAULT '',
  payload text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL UNIQUE
);
CREATE TABLE releases (
  id text PRIMARY KEY,
  app text NOT NULL DEFAULT '',
  environment text NOT NULL,
  commit_sha text NOT NULL DEFAULT '',
  ref text NOT NULL DEFAULT '',
  subject text NOT NULL DEFAULT '',
  runbook_hash text NOT NULL DEFAULT '',
  runbook_commit text NOT NULL DEFAULT '',
  deployer text NOT NULL DEFAULT '',
  trigger_kind text NOT NULL DEFAULT 'cli',
  ci_url text NOT NULL DEFAULT '',
  reason text NOT NULL DEFAULT '',
  started_at text NOT NULL DEFAULT '',
  finished_at text NOT NULL DEFAULT '',
  status text NOT NULL,
  previous_release text NOT NULL DEFAULT '',
  time_to_restore_ms bigint NOT NULL DEFAULT -1,
  allow_dirty integer NOT NULL DEFAULT 0,
  writer_pid bigint NOT NULL DEFAULT 0,
  writer_host text NOT NULL DEFAULT '',
  writer_boot_id text NOT NULL DEFAULT '',
  writer_start_ticks bigint NOT NULL DEFAULT 0,
  heartbeat_at timestamptz,
  entry_seq bigint NOT NULL REFERENCES entries(seq)
);
CREATE TABLE step_runs (
  entry_seq bigint PRIMARY KEY REFERENCES entries(seq),
  release_id text NOT NULL REFERENCES releases(id),
  host text NOT NULL DEFAULT '',
  step text NOT NULL DEFAULT '',
  phase text NOT NULL DEFAULT 'deploy',
  started_at text NOT NULL DEFAULT '',
  finished_at text NOT NULL DEFAULT '',
  exit_status integer NOT NULL DEFAULT -1,
  outcome text NOT NULL DEFAULT '',
  output_tail text NOT NULL DEFAULT ''
);
CREATE TABLE checks (
  entry_seq bigint PRIMARY KEY REFERENCES entries(seq),
  release_id text NOT NULL REFERENCES releases(id),
  check_name text NOT NULL DEFAULT '',
  host text NOT NULL DEFAULT '',
  phase text NOT NULL DEFAULT 'gate',
  attempts integer NOT NULL DEFAULT 0,
  p50_ms bigint NOT NULL DEFAULT 0,
  p95_ms bigint NOT NULL DEFAULT 0,
  passed integer NOT NULL DEFAULT 0,
  reason text NOT NULL DEFAULT ''
);
CREATE TABLE events (
  entry_seq bigint PRIMARY KEY REFERENCES entries(seq),
  release_id text REFERENCES releases(id),
  kind text NOT NULL,
  detail text NOT NULL DEFAULT '',
  at text NOT NULL DEFAULT ''
);
CREATE INDEX releases_by_start ON releases(started_at DESC, id DESC);
CREATE INDEX releases_by_env_start ON releases(environment, started_at DESC, id DESC);
CREATE INDEX releases_by_env_status ON releases(environment, status, started_at DESC, id DESC);
CREATE INDEX releases_running ON releases(status) WHERE status = 'running';
CREATE INDEX step_runs_by_release ON step_runs(release_id, entry_seq);
CREATE INDEX checks_by_release ON checks(release_id, entry_seq);
CREATE INDEX events_by_release ON events(release_id, entry_seq);
CREATE FUNCTION golive_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'ledger entries are append-only'; END $$;
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON entries
  FOR EACH ROW EXECUTE FUNCTION golive_entries_append_only();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
  FOR EACH STATEMENT EXECUTE FUNCTION golive_entries_append_only();
)sql",
  };
  return kMigrations;
}

}  // namespace golive
