// The only code that includes libpq. One connection per Ledger, serialized by a mutex (hosts
// record steps from parallel threads). Writers on other processes and machines are serialized by
// a transaction-scoped advisory lock taken before the chain head is read (docs/ledger.md says why
// not SELECT ... FOR UPDATE). Reads run in one REPEATABLE READ snapshot.
#include "orchestrator/adapters/postgres/postgres_ledger.h"

#include <libpq-fe.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "golive/clock.h"
#include "golive/vocabulary.h"
#include "orchestrator/adapters/json/json.h"
#include "orchestrator/ledger/ledger_chain.h"
#include "orchestrator/ledger/ledger_json.h"
#include "orchestrator/ledger/ledger_location.h"
#include "orchestrator/ledger/writer_identity.h"

namespace golive {
namespace {

using json = Json;

// Advisory lock keys (any constant unlikely to clash with an application's own keys).
constexpr const char* kChainLock = "SELECT pg_advisory_xact_lock(7310585240641002601)";
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7310585240641002602)";

// libpq failures unwind to the public method that started the work; confined to this file.
struct PgFailure {
  std::string message;
  bool connection_lost = false;
};

// A usage error detected inside a transaction (unknown release, duplicate id, ...).
struct LedgerRefusal {
  std::string message;
};

const std::set<std::string, std::less<>> kTriggers = {"cli", "ci", "rollback"};

using Param = std::optional<std::string>;  // nullopt: SQL NULL

class Rows {
 public:
  explicit Rows(PGresult* r) : r_(r) {}
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  Rows(Rows&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  ~Rows() { PQclear(r_); }
  int size() const { return PQntuples(r_); }
  std::string text(int row, int col) const {
    return std::string(PQgetvalue(r_, row, col),
                       static_cast<std::size_t>(PQgetlength(r_, row, col)));
  }
  std::int64_t integer(int row, int col) const {
    if (PQgetisnull(r_, row, col)) return 0;
    return std::stoll(PQgetvalue(r_, row, col));
  }

 private:
  PGresult* r_;
};

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// One libpq connection. Every failure throws PgFailure (connection_lost when the server is gone).
class Connection {
 public:
  Connection(std::string url, int connect_timeout_s)
      : url_(std::move(url)), timeout_(std::to_string(connect_timeout_s)) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    if (conn_) PQfinish(conn_);
  }

  // Connects, or reconnects after the server went away; throws when it cannot.
  void ensure() {
    if (conn_ && PQstatus(conn_) == CONNECTION_OK) return;
    if (conn_) PQfinish(conn_);
    const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
    const char* values[] = {url_.c_str(), timeout_.c_str(), "golive", nullptr};
    conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      std::string message = conn_ ? trim(PQerrorMessage(conn_)) : "out of memory";
      if (conn_) PQfinish(conn_);
      conn_ = nullptr;
      throw PgFailure{message, true};
    }
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);  // no stray stderr lines
  }

  Rows exec(const std::string& sql, const std::vector<Param>& params = {}) {
    ensure();
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    PGresult* r = params.empty() ? PQexec(conn_, sql.c_str())
                                 : PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()),
                                                nullptr, values.data(), nullptr, nullptr, 0);
    auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string message = trim(r ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
      if (message.empty()) message = trim(PQerrorMessage(conn_));
      PQclear(r);
      throw PgFailure{message, PQstatus(conn_) != CONNECTION_OK};
    }
    return Rows(r);
  }

  // Best effort (after a failure inside a transaction).
  void rollback() {
    if (conn_ && PQstatus(conn_) == CONNECTION_OK) PQclear(PQexec(conn_, "ROLLBACK"));
  }

 private:
  std::string url_;
  std::string timeout_;
  PGconn* conn_ = nullptr;
};

std::string num(std::int64_t v) {
  return std::to_string(v);
}

constexpr std::string_view kReleaseColumns =
    "id, app, environment, commit_sha, ref, subject, runbook_hash, runbook_commit, deployer, "
    "trigger_kind, ci_url, reason, started_at, finished_at, status, previous_release, "
    "time_to_restore_ms, allow_dirty, writer_pid, writer_host, writer_boot_id, writer_start_ticks";
// The same columns as reports show them: a deploy learns the release it replaces only after
// begin_release (from the hosts) and records it as a `previous_release` event; reports fill the
// column from that event. verify() reads the raw columns (kReleaseColumns).
constexpr std::string_view kReportedReleaseColumns =
    "id, app, environment, commit_sha, ref, subject, runbook_hash, runbook_commit, deployer, "
    "trigger_kind, ci_url, reason, started_at, finished_at, status, "
    "COALESCE(NULLIF(previous_release, ''), (SELECT e.detail FROM events e WHERE e.release_id = "
    "releases.id AND e.kind = 'previous_release' ORDER BY e.entry_seq DESC LIMIT 1), ''), "
    "time_to_restore_ms, allow_dirty, writer_pid, writer_host, writer_boot_id, writer_start_ticks";

ReleaseRecord read_release(const Rows& s, int row) {
  ReleaseRecord r;
  int c = 0;
  r.id = s.text(row, c++);
  r.app = s.text(row, c++);
  r.environment = s.text(row, c++);
  r.commit = s.text(row, c++);
  r.ref = s.text(row, c++);
  r.subject = s.text(row, c++);
  r.runbook_hash = s.text(row, c++);
  r.runbook_commit = s.text(row, c++);
  r.deployer = s.text(row, c++);
  r.trigger = s.text(row, c++);
  r.ci_url = s.text(row, c++);
  r.reason = s.text(row, c++);
  r.started_at = s.text(row, c++);
  r.finished_at = s.text(row, c++);
  r.status = s.text(row, c++);
  r.previous_release = s.text(row, c++);
  r.time_to_restore_ms = s.integer(row, c++);
  r.allow_dirty = s.integer(row, c++) != 0;
  r.writer_pid = s.integer(row, c++);
  r.writer_host = s.text(row, c++);
  r.writer_boot_id = s.text(row, c++);
  r.writer_start_ticks = s.integer(row, c++);
  return r;
}

constexpr std::string_view kStepColumns =
    "entry_seq, release_id, host, step, phase, started_at, finished_at, exit_status, outcome, "
    "output_tail";

StepRunRecord read_step(const Rows& s, int i) {
  StepRunRecord r;
  r.release_id = s.text(i, 1);
  r.host = s.text(i, 2);
  r.step = s.text(i, 3);
  r.phase = s.text(i, 4);
  r.started_at = s.text(i, 5);
  r.finished_at = s.text(i, 6);
  r.exit_status = static_cast<int>(s.integer(i, 7));
  r.outcome = s.text(i, 8);
  r.output_tail = s.text(i, 9);
  return r;
}

constexpr std::string_view kCheckColumns =
    "entry_seq, release_id, check_name, host, phase, attempts, p50_ms, p95_ms, passed, reason";

CheckRecord read_check(const Rows& s, int i) {
  CheckRecord r;
  r.release_id = s.text(i, 1);
  r.check = s.text(i, 2);
  r.host = s.text(i, 3);
  r.phase = s.text(i, 4);
  r.attempts = static_cast<int>(s.integer(i, 5));
  r.p50_ms = s.integer(i, 6);
  r.p95_ms = s.integer(i, 7);
  r.passed = s.integer(i, 8) != 0;
  r.reason = s.text(i, 9);
  return r;
}

constexpr std::string_view kEventColumns = "entry_seq, release_id, kind, detail, at";

EventRecord read_event(const Rows& s, int i) {
  EventRecord r;
  r.release_id = s.text(i, 1);  // NULL reads as empty
  r.kind = s.text(i, 2);
  r.detail = s.text(i, 3);
  r.at = s.text(i, 4);
  return r;
}

std::string now_iso() {
  return iso8601(std::chrono::system_clock::now());
}

// Serializes a record the way the chain stores it and reads it back, so the row written is
// exactly what the entry says.
template <class Record, class ToJson, class FromJson>
std::pair<Record, std::string> canonical(const Record& record, ToJson to_json, FromJson from_json) {
  std::string text = canonical_json(to_json(record));
  return {from_json(*json::parse(text)), text};
}

std::string sql(std::string_view a, std::string_view b = "", std::string_view c = "") {
  std::string s(a);
  s += b;
  s += c;
  return s;
}

class PostgresLedger final : public Ledger {
 public:
  PostgresLedger(std::string url, PostgresLedgerOptions options)
      : shown_(redacted_ledger(url)),
        db_(std::move(url), options.connect_timeout_s),
        options_(options),
        self_(current_writer()) {}
  ~PostgresLedger() override {
    {
      std::lock_guard lock(beat_mu_);
      stop_ = true;
    }
    beat_cv_.notify_all();
    if (beater_.joinable()) beater_.join();
  }

  // Creates or migrates the schema in one transaction; concurrent openers wait on the lock.
  Status migrate() {
    return transact("open", kMigrationLock, [&] {
      auto exists = db_.exec(
          "SELECT to_regclass('golive_schema') IS NOT NULL, "
          "to_regclass('entries') IS NOT NULL");
      int version = 0;
      if (exists.text(0, 0) == "t") {
        version = static_cast<int>(db_.exec("SELECT version FROM golive_schema").integer(0, 0));
      } else if (exists.text(0, 1) == "t") {
        throw LedgerRefusal{"ledger " + shown_ +
                            " has an `entries` table but is not a golive ledger"};
      }
      if (version > kPostgresLedgerSchemaVersion) {
        throw LedgerRefusal{"ledger " + shown_ + " has schema v" + std::to_string(version) +
                            ", newer than this golive understands (v" +
                            std::to_string(kPostgresLedgerSchemaVersion) + "): upgrade golive"};
      }
      const auto& migrations = postgres_ledger_migrations();
      for (int v = version; v < kPostgresLedgerSchemaVersion; ++v) {
        db_.exec(std::string(migrations.at(static_cast<std::size_t>(v))));
        db_.exec("UPDATE golive_schema SET version = " + std::to_string(v + 1));
      }
    });
  }

  Status begin_release(const ReleaseRecord& release) override {
    ReleaseRecord r = release;
    if (auto ok = validate_release(r, /*imported=*/false); !ok) return ok;
    if (r.started_at.empty()) r.started_at = now_iso();
    r.writer_pid = self_.pid;
    r.writer_host = self_.host;
    r.writer_boot_id = self_.boot_id;
    r.writer_start_ticks = self_.start_ticks;
    auto done = write("record release " + r.id, [&] {
      if (release_exists(r.id)) {
        throw LedgerRefusal{"release " + r.id + " is already in ledger " + shown_};
      }
      insert_release(r, entry_kind::kReleaseBegun, /*heartbeat=*/true);
    });
    if (done) start_heartbeat(r.id);
    return done;
  }

  Status record_step(const StepRunRecord& step) override {
    return write("record step " + step.step, [&] { insert_step(step); });
  }

  Status record_steps(const std::vector<StepRunRecord>& steps) override {
    if (steps.empty()) return {};
    return write("record " + std::to_string(steps.size()) + " steps", [&] {
      for (const auto& step : steps) insert_step(step);
    });
  }

  Status record_check(const CheckRecord& check) override {
    return write("record check " + check.check, [&] { insert_check(check); });
  }

  Status record_event(const EventRecord& event) override {
    EventRecord e = event;
    if (e.at.empty()) e.at = now_iso();
    return write("record event " + e.kind, [&] { insert_event(e); });
  }

  Status finish_release(const std::string& id, const std::string& status,
                        const std::string& finished_at, std::int64_t time_to_restore_ms) override {
    if (!parse_release_status(status)) return fail("unknown release status '" + status + "'");
    json payload{{"status", status},
                 {"finished_at", finished_at.empty() ? now_iso() : finished_at},
                 {"time_to_restore_ms", time_to_restore_ms}};
    stop_heartbeat(id);
    return write("finish release " + id, [&] {
      update_release(id, entry_kind::kReleaseFinished, canonical_json(payload));
    });
  }

  // A running release is interrupted when its heartbeat is older than stale_after (any machine),
  // or when it was written on this machine by a process that is certainly dead.
  Result<std::vector<ReleaseRecord>> recover_interrupted() override {
    std::vector<ReleaseRecord> recovered;
    auto done = write("recover interrupted releases", [&] {
      recovered.clear();
      auto rows = db_.exec(sql("SELECT ", kReleaseColumns,
                               ", (heartbeat_at IS NOT NULL AND heartbeat_at < now() - $1 * "
                               "interval '1 millisecond')"
                               " FROM releases WHERE status = 'running' ORDER BY started_at, id"),
                           {num(options_.stale_after.count())});
      std::vector<ReleaseRecord> dead;
      for (int i = 0; i < rows.size(); ++i) {
        ReleaseRecord r = read_release(rows, i);
        bool stale = rows.text(i, 22) == "t";
        WriterIdentity writer{r.writer_pid, r.writer_host, r.writer_boot_id, r.writer_start_ticks};
        if (beating(r.id)) continue;  // our own release, still running
        if (stale || writer_is_dead(writer, self_)) dead.push_back(std::move(r));
      }
      for (auto& r : dead) {
        recovered.push_back(update_release(r.id, entry_kind::kReleaseInterrupted,
                                           canonical_json(json{{"finished_at", now_iso()}})));
      }
    });
    if (!done) return std::unexpected(done.error());
    return recovered;
  }

  Result<std::vector<ReleaseRecord>> history(const HistoryQuery& query) override {
    std::vector<ReleaseRecord> out;
    auto done = read("read history", [&] {
      std::string q = sql("SELECT ", kReportedReleaseColumns, " FROM releases");
      std::vector<Param> params;
      std::vector<std::string> where;
      if (!query.environment.empty()) {
        params.emplace_back(query.environment);
        where.push_back("environment = $" + std::to_string(params.size()));
      }
      if (!query.since.empty()) {
        params.emplace_back(query.since);
        where.push_back("started_at >= $" + std::to_string(params.size()));
      }
      for (std::size_t i = 0; i < where.size(); ++i) q += (i ? " AND " : " WHERE ") + where[i];
      params.push_back(query.limit > 0 ? Param{num(query.limit)} : Param{});
      q += " ORDER BY started_at DESC, id DESC LIMIT $" + std::to_string(params.size());
      auto rows = db_.exec(q, params);
      for (int i = 0; i < rows.size(); ++i) out.push_back(read_release(rows, i));
    });
    if (!done) return std::unexpected(done.error());
    return out;
  }

  Result<ReleaseDetail> show(const std::string& id) override {
    ReleaseDetail detail;
    bool found = false;
    auto done = read("read release " + id, [&] {
      auto r =
          db_.exec(sql("SELECT ", kReportedReleaseColumns, " FROM releases WHERE id = $1"), {id});
      found = r.size() > 0;
      if (!found) return;
      detail.release = read_release(r, 0);
      auto steps = db_.exec(
          sql("SELECT ", kStepColumns, " FROM step_runs WHERE release_id = $1 ORDER BY entry_seq"),
          {id});
      for (int i = 0; i < steps.size(); ++i) detail.steps.push_back(read_step(steps, i));
      auto checks = db_.exec(
          sql("SELECT ", kCheckColumns, " FROM checks WHERE release_id = $1 ORDER BY entry_seq"),
          {id});
      for (int i = 0; i < checks.size(); ++i) detail.checks.push_back(read_check(checks, i));
      auto events = db_.exec(
          sql("SELECT ", kEventColumns, " FROM events WHERE release_id = $1 ORDER BY entry_seq"),
          {id});
      for (int i = 0; i < events.size(); ++i) detail.events.push_back(read_event(events, i));
    });
    if (!done) return std::unexpected(done.error());
    if (!found) return fail("no release " + id + " in ledger " + shown_);
    return detail;
  }

  Result<std::optional<ReleaseRecord>> last_good(const std::string& environment) override {
    std::optional<ReleaseRecord> out;
    auto done = read("read last good release", [&] {
      auto rows = db_.exec(sql("SELECT ", kReportedReleaseColumns,
                               " FROM releases WHERE environment = $1 AND status = 'succeeded'"
                               " ORDER BY started_at DESC, id DESC LIMIT 1"),
                           {environment});
      if (rows.size() > 0) out = read_release(rows, 0);
    });
    if (!done) return std::unexpected(done.error());
    return out;
  }

  Result<VerifyReport> verify() override {
    VerifyReport report;
    auto done = read("verify", [&] {
      ChainVerifier verifier;
      auto entries = db_.exec(
          "SELECT seq, kind, release_id, payload, prev_hash, hash FROM entries ORDER BY seq");
      for (int i = 0; i < entries.size(); ++i) {
        verifier.add_entry(LedgerEntry{entries.integer(i, 0), entries.text(i, 1),
                                       entries.text(i, 2), entries.text(i, 3), entries.text(i, 4),
                                       entries.text(i, 5)});
      }
      auto releases = db_.exec(sql("SELECT ", kReleaseColumns, " FROM releases"));
      for (int i = 0; i < releases.size(); ++i) verifier.add_release_row(read_release(releases, i));
      auto steps = db_.exec(sql("SELECT ", kStepColumns, " FROM step_runs"));
      for (int i = 0; i < steps.size(); ++i) {
        verifier.add_step_row(steps.integer(i, 0), read_step(steps, i));
      }
      auto checks = db_.exec(sql("SELECT ", kCheckColumns, " FROM checks"));
      for (int i = 0; i < checks.size(); ++i) {
        verifier.add_check_row(checks.integer(i, 0), read_check(checks, i));
      }
      auto events = db_.exec(sql("SELECT ", kEventColumns, " FROM events"));
      for (int i = 0; i < events.size(); ++i) {
        verifier.add_event_row(events.integer(i, 0), read_event(events, i));
      }
      report = verifier.finish();
    });
    if (!done) return std::unexpected(done.error());
    return report;
  }

  Result<bool> import_release(const ReleaseRecord& release) override {
    auto added = import_releases({release});
    if (!added) return std::unexpected(added.error());
    return *added == 1;
  }

  Result<int> import_releases(const std::vector<ReleaseRecord>& releases) override {
    std::vector<ReleaseRecord> clean;
    for (const auto& release : releases) {
      ReleaseRecord r = release;
      if (auto ok = validate_release(r, /*imported=*/true); !ok) return std::unexpected(ok.error());
      r.writer_pid = 0;
      r.writer_host.clear();
      r.writer_boot_id.clear();
      r.writer_start_ticks = 0;
      clean.push_back(std::move(r));
    }
    int added = 0;
    auto done = write("import releases", [&] {
      added = 0;
      for (const auto& r : clean) {
        if (release_exists(r.id)) continue;
        insert_release(r, entry_kind::kReleaseImported, /*heartbeat=*/false);
        ++added;
      }
    });
    if (!done) return std::unexpected(done.error());
    return added;
  }

  // One transaction per release: a push interrupted half-way leaves no partial release behind.
  Result<bool> import_detail(const ReleaseDetail& detail) override {
    ReleaseRecord r = detail.release;
    if (auto ok = validate_release(r, /*imported=*/true); !ok) return std::unexpected(ok.error());
    r.writer_pid = 0;
    r.writer_host.clear();
    r.writer_boot_id.clear();
    r.writer_start_ticks = 0;
    bool added = false;
    auto done = write("import release " + r.id, [&] {
      added = !release_exists(r.id);
      if (!added) return;
      insert_release(r, entry_kind::kReleaseImported, /*heartbeat=*/false);
      for (const auto& step : detail.steps) insert_step(step);
      for (const auto& check : detail.checks) insert_check(check);
      for (const auto& event : detail.events) insert_event(event);
    });
    if (!done) return std::unexpected(done.error());
    return added;
  }

  Result<std::string> head() override {
    std::string hash;
    auto done = read("read chain head", [&] {
      auto rows = db_.exec("SELECT hash FROM entries ORDER BY seq DESC LIMIT 1");
      if (rows.size() > 0) hash = rows.text(0, 0);
    });
    if (!done) return std::unexpected(done.error());
    return hash;
  }

  Result<bool> contains_hash(const std::string& hash) override {
    bool found = false;
    auto done = read("look up chain hash", [&] {
      found = db_.exec("SELECT 1 FROM entries WHERE hash = $1", {hash}).size() > 0;
    });
    if (!done) return std::unexpected(done.error());
    return found;
  }

 private:
  Status validate_release(const ReleaseRecord& r, bool imported) const {
    if (r.id.empty()) return fail("a release needs an id");
    if (r.environment.empty()) return fail("release " + r.id + " needs an environment");
    if (!parse_release_status(r.status)) {
      return fail("release " + r.id + ": unknown status '" + r.status + "'");
    }
    if (!imported && !kTriggers.contains(r.trigger)) {
      return fail("release " + r.id + ": unknown trigger '" + r.trigger + "' (cli|ci|rollback)");
    }
    return {};
  }

  Error to_error(const std::string& what, const PgFailure& f) const {
    if (f.connection_lost) {
      return Error{"ledger " + shown_ + " is unreachable (" + what + "): " + f.message,
                   ExitCode::kInfra};
    }
    return Error{"ledger " + shown_ + ": cannot " + what + ": " + f.message, ExitCode::kInfra};
  }

  // One transaction opened by `begin` (e.g. a lock); any failure rolls it back.
  template <class Fn>
  Status transact(const std::string& what, const char* begin_sql, Fn&& body) {
    std::lock_guard lock(mutex_);
    try {
      db_.exec(std::string("BEGIN; ") + begin_sql);
      try {
        body();
        db_.exec("COMMIT");
      } catch (...) {
        db_.rollback();
        throw;
      }
    } catch (const PgFailure& f) {
      return std::unexpected(to_error(what, f));
    } catch (const LedgerRefusal& r) {
      return fail(r.message);
    } catch (const std::exception& e) {  // a malformed number from a tampered row
      return std::unexpected(to_error(what, PgFailure{e.what(), false}));
    }
    return {};
  }

  // One durable transaction holding the chain lock: writers everywhere append one at a time.
  template <class Fn>
  Status write(const std::string& what, Fn&& body) {
    return transact(what, kChainLock, std::forward<Fn>(body));
  }

  // One consistent snapshot for a read.
  template <class Fn>
  Status read(const std::string& what, Fn&& body) {
    return transact(what, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
                    std::forward<Fn>(body));
  }

  void insert_step(const StepRunRecord& step) {
    require_release(step.release_id);
    auto [row, payload] = canonical(step, step_to_json, step_from_json);
    std::int64_t seq = append(entry_kind::kStep, row.release_id, payload);
    db_.exec(
        sql("INSERT INTO step_runs (", kStepColumns, ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)"),
        {num(seq), row.release_id, row.host, row.step, row.phase, row.started_at, row.finished_at,
         num(row.exit_status), row.outcome, row.output_tail});
  }

  void insert_check(const CheckRecord& check) {
    require_release(check.release_id);
    auto [row, payload] = canonical(check, check_to_json, check_from_json);
    std::int64_t seq = append(entry_kind::kCheck, row.release_id, payload);
    db_.exec(
        sql("INSERT INTO checks (", kCheckColumns, ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)"),
        {num(seq), row.release_id, row.check, row.host, row.phase, num(row.attempts),
         num(row.p50_ms), num(row.p95_ms), num(row.passed ? 1 : 0), row.reason});
  }

  void insert_event(const EventRecord& e) {
    if (!e.release_id.empty()) require_release(e.release_id);
    auto [row, payload] = canonical(e, event_to_json, event_from_json);
    std::int64_t seq = append(entry_kind::kEvent, row.release_id, payload);
    Param release = row.release_id.empty() ? Param{} : Param{row.release_id};
    db_.exec(sql("INSERT INTO events (", kEventColumns, ") VALUES ($1,$2,$3,$4,$5)"),
             {num(seq), release, row.kind, row.detail, row.at});
  }

  bool release_exists(const std::string& id) {
    return db_.exec("SELECT 1 FROM releases WHERE id = $1", {id}).size() > 0;
  }

  void require_release(const std::string& id) {
    if (id.empty()) throw LedgerRefusal{"a step or check record needs a release id"};
    if (!release_exists(id)) throw LedgerRefusal{"no release " + id + " in ledger " + shown_};
  }

  // Appends one chain entry after the current head (the chain lock is held); returns its seq.
  std::int64_t append(std::string_view kind, const std::string& release_id, std::string payload) {
    std::int64_t prev_seq = 0;
    std::string prev_hash{kGenesisHash};
    auto h = db_.exec("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1");
    if (h.size() > 0) {
      prev_seq = h.integer(0, 0);
      prev_hash = h.text(0, 1);
    }
    LedgerEntry e = next_entry(prev_seq, prev_hash, kind, release_id, std::move(payload));
    db_.exec(
        "INSERT INTO entries (seq, kind, release_id, payload, prev_hash, hash) "
        "VALUES ($1,$2,$3,$4,$5,$6)",
        {num(e.seq), e.kind, e.release_id, e.payload, e.prev_hash, e.hash});
    return e.seq;
  }

  void insert_release(const ReleaseRecord& release, std::string_view kind, bool heartbeat) {
    auto [r, payload] = canonical(release, release_to_json, release_from_json);
    std::int64_t seq = append(kind, r.id, payload);
    db_.exec(sql("INSERT INTO releases (", kReleaseColumns,
                 ", entry_seq, heartbeat_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,"
                 "$14,$15,$16,$17,$18,$19,$20,$21,$22,$23," +
                     std::string(heartbeat ? "now()" : "NULL") + ")"),
             {r.id,
              r.app,
              r.environment,
              r.commit,
              r.ref,
              r.subject,
              r.runbook_hash,
              r.runbook_commit,
              r.deployer,
              r.trigger,
              r.ci_url,
              r.reason,
              r.started_at,
              r.finished_at,
              r.status,
              r.previous_release,
              num(r.time_to_restore_ms),
              num(r.allow_dirty ? 1 : 0),
              num(r.writer_pid),
              r.writer_host,
              r.writer_boot_id,
              num(r.writer_start_ticks),
              num(seq)});
  }

  // Appends a finish/interrupt entry and applies it to the row the same way verify replays it.
  ReleaseRecord update_release(const std::string& id, std::string_view kind,
                               const std::string& payload) {
    auto s = db_.exec(sql("SELECT ", kReleaseColumns, " FROM releases WHERE id = $1"), {id});
    if (s.size() == 0) throw LedgerRefusal{"no release " + id + " in ledger " + shown_};
    ReleaseRecord r = read_release(s, 0);
    append(kind, id, payload);
    apply_release_update(r, kind, payload);
    db_.exec(
        "UPDATE releases SET status = $1, finished_at = $2, time_to_restore_ms = $3 WHERE id = $4",
        {r.status, r.finished_at, num(r.time_to_restore_ms), id});
    return r;
  }

  // Heartbeat: while this process runs a release, it touches heartbeat_at every interval so other
  // machines can tell it is alive (recover_interrupted).
  void start_heartbeat(const std::string& id) {
    std::lock_guard lock(beat_mu_);
    beating_.insert(id);
    if (!beater_.joinable()) beater_ = std::thread([this] { heartbeat_loop(); });
  }

  void stop_heartbeat(const std::string& id) {
    std::lock_guard lock(beat_mu_);
    beating_.erase(id);
  }

  bool beating(const std::string& id) {
    std::lock_guard lock(beat_mu_);
    return beating_.contains(id);
  }

  void heartbeat_loop() {
    std::unique_lock lock(beat_mu_);
    while (!beat_cv_.wait_for(lock, options_.heartbeat_interval, [&] { return stop_; })) {
      std::vector<std::string> ids(beating_.begin(), beating_.end());
      lock.unlock();
      for (const auto& id : ids) {
        std::lock_guard db_lock(mutex_);
        try {
          db_.exec("UPDATE releases SET heartbeat_at = now() WHERE id = $1 AND status = 'running'",
                   {id});
        } catch (const PgFailure&) {
          // Server gone: records are spooled elsewhere; the beat resumes when it is back.
        }
      }
      lock.lock();
    }
  }

  std::string shown_;  // the URL with its password redacted
  Connection db_;
  PostgresLedgerOptions options_;
  WriterIdentity self_;
  std::mutex mutex_;  // one statement at a time on the connection

  std::mutex beat_mu_;  // guards the fields below
  std::condition_variable beat_cv_;
  std::set<std::string> beating_;
  bool stop_ = false;
  std::thread beater_;
};

}  // namespace

Result<std::unique_ptr<Ledger>> open_postgres_ledger(const std::string& url,
                                                     const PostgresLedgerOptions& options) {
  if (!is_ledger_url(url)) return fail("not a postgresql:// URL: " + redacted_ledger(url));
  auto ledger = std::make_unique<PostgresLedger>(url, options);
  if (auto s = ledger->migrate(); !s) {
    Error e = s.error();
    if (e.exit == ExitCode::kUsage) e.exit = ExitCode::kInfra;
    return std::unexpected(e);
  }
  return ledger;
}

}  // namespace golive
