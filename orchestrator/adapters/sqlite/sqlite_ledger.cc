// The only code that includes SQLite. One connection per Ledger, serialized by a mutex (hosts
// record steps from parallel threads); other processes are serialized by SQLite's write lock:
// WAL, BEGIN IMMEDIATE for every write, a long busy_timeout and a retry on SQLITE_BUSY.
#include "orchestrator/adapters/sqlite/sqlite_ledger.h"

#include <sqlite3.h>

#include <filesystem>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

#include "golive/clock.h"
#include "golive/vocabulary.h"
#include "orchestrator/ledger/ledger_chain.h"
#include "orchestrator/ledger/ledger_json.h"
#include "orchestrator/ledger/writer_identity.h"

namespace golive {
namespace {

// SQLite failures unwind to the public method that started the work; it rolls back and returns
// them as an Error. Confined to this file.
struct SqlFailure {
  int code = SQLITE_ERROR;
  std::string message;
};

// A usage error detected inside a transaction (unknown release, duplicate id, ...).
struct LedgerRefusal {
  std::string message;
};

const std::set<std::string, std::less<>> kTriggers = {"cli", "ci", "rollback"};

// Prepared statements of one connection, kept for reuse (bulk imports prepare each SQL once).
class StmtCache {
 public:
  explicit StmtCache(sqlite3* db) : db_(db) {}
  StmtCache(const StmtCache&) = delete;
  StmtCache& operator=(const StmtCache&) = delete;
  ~StmtCache() {
    for (auto& [sql, entry] : entries_) sqlite3_finalize(entry.stmt);
  }
  sqlite3* db() const { return db_; }
  // A ready statement for `sql`, or nullptr when that SQL is already in use (nested use).
  sqlite3_stmt* take(const std::string& sql) {
    auto it = entries_.find(sql);
    if (it == entries_.end()) {
      sqlite3_stmt* stmt = nullptr;
      int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr);
      if (rc != SQLITE_OK) throw SqlFailure{rc, sqlite3_errmsg(db_)};
      it = entries_.emplace(sql, Entry{stmt, false}).first;
    }
    if (it->second.in_use) return nullptr;
    it->second.in_use = true;
    return it->second.stmt;
  }
  void give_back(sqlite3_stmt* stmt) {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (auto& [sql, entry] : entries_) {
      if (entry.stmt == stmt) entry.in_use = false;
    }
  }

 private:
  struct Entry {
    sqlite3_stmt* stmt;
    bool in_use;
  };
  sqlite3* db_;
  std::unordered_map<std::string, Entry> entries_;
};

class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql) : db_(db) { prepare(sql); }
  Stmt(StmtCache& cache, const std::string& sql) : db_(cache.db()) {
    stmt_ = cache.take(sql);
    if (stmt_) {
      cache_ = &cache;
    } else {
      prepare(sql);
    }
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() {
    if (cache_) {
      cache_->give_back(stmt_);
    } else {
      sqlite3_finalize(stmt_);
    }
  }

  Stmt& bind(int i, std::string_view text) {
    check(
        sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Stmt& bind(int i, std::int64_t value) {
    check(sqlite3_bind_int64(stmt_, i, value));
    return *this;
  }
  Stmt& bind_null(int i) {
    check(sqlite3_bind_null(stmt_, i));
    return *this;
  }
  // Binds every argument in order, from parameter 1.
  template <class... Args>
  Stmt& bind_all(const Args&... args) {
    int i = 0;
    (bind(++i, args), ...);
    return *this;
  }
  // True while there is a row.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw SqlFailure{sqlite3_extended_errcode(db_), sqlite3_errmsg(db_)};
  }
  void run() {
    while (step()) {
    }
  }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string{};
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  void prepare(std::string_view sql) {
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) throw SqlFailure{rc, sqlite3_errmsg(db_)};
  }
  void check(int rc) {
    if (rc != SQLITE_OK) throw SqlFailure{rc, sqlite3_errmsg(db_)};
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  StmtCache* cache_ = nullptr;
};

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string message = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    throw SqlFailure{sqlite3_extended_errcode(db), message};
  }
}

// Runs `sql`, retrying while another process holds the lock (busy_timeout already waited once).
void exec_retrying(sqlite3* db, const std::string& sql, std::chrono::milliseconds patience) {
  auto deadline = std::chrono::steady_clock::now() + patience;
  std::minstd_rand jitter(
      static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()));
  for (;;) {
    try {
      exec(db, sql);
      return;
    } catch (const SqlFailure& f) {
      if ((f.code & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() > deadline) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + jitter() % 20));
  }
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

ReleaseRecord read_release(const Stmt& s) {
  ReleaseRecord r;
  int c = 0;
  r.id = s.text(c++);
  r.app = s.text(c++);
  r.environment = s.text(c++);
  r.commit = s.text(c++);
  r.ref = s.text(c++);
  r.subject = s.text(c++);
  r.runbook_hash = s.text(c++);
  r.runbook_commit = s.text(c++);
  r.deployer = s.text(c++);
  r.trigger = s.text(c++);
  r.ci_url = s.text(c++);
  r.reason = s.text(c++);
  r.started_at = s.text(c++);
  r.finished_at = s.text(c++);
  r.status = s.text(c++);
  r.previous_release = s.text(c++);
  r.time_to_restore_ms = s.integer(c++);
  r.allow_dirty = s.integer(c++) != 0;
  r.writer_pid = s.integer(c++);
  r.writer_host = s.text(c++);
  r.writer_boot_id = s.text(c++);
  r.writer_start_ticks = s.integer(c++);
  return r;
}

constexpr std::string_view kStepColumns =
    "entry_seq, release_id, host, step, phase, started_at, finished_at, exit_status, outcome, "
    "output_tail";

StepRunRecord read_step(const Stmt& s) {
  StepRunRecord r;
  r.release_id = s.text(1);
  r.host = s.text(2);
  r.step = s.text(3);
  r.phase = s.text(4);
  r.started_at = s.text(5);
  r.finished_at = s.text(6);
  r.exit_status = static_cast<int>(s.integer(7));
  r.outcome = s.text(8);
  r.output_tail = s.text(9);
  return r;
}

constexpr std::string_view kCheckColumns =
    "entry_seq, release_id, check_name, host, phase, attempts, p50_ms, p95_ms, passed, reason";

CheckRecord read_check(const Stmt& s) {
  CheckRecord r;
  r.release_id = s.text(1);
  r.check = s.text(2);
  r.host = s.text(3);
  r.phase = s.text(4);
  r.attempts = static_cast<int>(s.integer(5));
  r.p50_ms = s.integer(6);
  r.p95_ms = s.integer(7);
  r.passed = s.integer(8) != 0;
  r.reason = s.text(9);
  return r;
}

constexpr std::string_view kEventColumns = "entry_seq, release_id, kind, detail, at";

EventRecord read_event(const Stmt& s) {
  EventRecord r;
  r.release_id = s.text(1);  // NULL reads as empty
  r.kind = s.text(2);
  r.detail = s.text(3);
  r.at = s.text(4);
  return r;
}

std::string now_iso() {
  return iso8601(std::chrono::system_clock::now());
}

// Serializes a record the way the chain stores it and reads it back, so the row written is
// exactly what the entry says (e.g. invalid UTF-8 in an output tail is replaced in both).
template <class Record, class ToJson, class FromJson>
std::pair<Record, std::string> canonical(const Record& record, ToJson to_json, FromJson from_json) {
  std::string text = canonical_json(to_json(record));
  return {from_json(Json::parse(text).value_or(Json())), text};
}

class SqliteLedger final : public Ledger {
 public:
  SqliteLedger(std::string path, sqlite3* db, SqliteLedgerOptions options)
      : path_(std::move(path)),
        db_(db),
        stmts_(std::make_unique<StmtCache>(db)),
        options_(options),
        self_(current_writer()) {}
  ~SqliteLedger() override {
    stmts_.reset();  // finalize before closing
    sqlite3_close_v2(db_);
  }

  Status begin_release(const ReleaseRecord& release) override {
    ReleaseRecord r = release;
    if (auto ok = validate_release(r, /*imported=*/false); !ok) return ok;
    if (r.started_at.empty()) r.started_at = now_iso();
    r.writer_pid = self_.pid;
    r.writer_host = self_.host;
    r.writer_boot_id = self_.boot_id;
    r.writer_start_ticks = self_.start_ticks;
    return write("record release " + r.id, [&] {
      if (release_exists(r.id)) {
        throw LedgerRefusal{"release " + r.id + " is already in ledger " + path_};
      }
      insert_release(r, entry_kind::kReleaseBegun);
    });
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
    return write("record check " + check.check, [&] {
      require_release(check.release_id);
      auto [row, payload] = canonical(check, check_to_json, check_from_json);
      std::int64_t seq = append(entry_kind::kCheck, row.release_id, payload);
      Stmt s(*stmts_, "INSERT INTO checks (" + std::string(kCheckColumns) +
                          ") VALUES (?,?,?,?,?,?,?,?,?,?)");
      s.bind_all(seq, row.release_id, row.check, row.host, row.phase, std::int64_t{row.attempts},
                 row.p50_ms, row.p95_ms, std::int64_t{row.passed ? 1 : 0}, row.reason);
      s.run();
    });
  }

  Status record_event(const EventRecord& event) override {
    EventRecord e = event;
    if (e.at.empty()) e.at = now_iso();
    return write("record event " + e.kind, [&] {
      if (!e.release_id.empty()) require_release(e.release_id);
      auto [row, payload] = canonical(e, event_to_json, event_from_json);
      std::int64_t seq = append(entry_kind::kEvent, row.release_id, payload);
      Stmt s(*stmts_, "INSERT INTO events (" + std::string(kEventColumns) + ") VALUES (?,?,?,?,?)");
      s.bind(1, seq);
      if (row.release_id.empty()) {
        s.bind_null(2);
      } else {
        s.bind(2, row.release_id);
      }
      s.bind(3, row.kind).bind(4, row.detail).bind(5, row.at);
      s.run();
    });
  }

  Status finish_release(const std::string& id, const std::string& status,
                        const std::string& finished_at, std::int64_t time_to_restore_ms) override {
    if (!parse_release_status(status)) return fail("unknown release status '" + status + "'");
    Json payload{{"status", status},
                 {"finished_at", finished_at.empty() ? now_iso() : finished_at},
                 {"time_to_restore_ms", time_to_restore_ms}};
    return write("finish release " + id, [&] {
      update_release(id, entry_kind::kReleaseFinished, canonical_json(payload));
    });
  }

  Result<std::vector<ReleaseRecord>> recover_interrupted() override {
    std::vector<ReleaseRecord> recovered;
    auto done = write("recover interrupted releases", [&] {
      recovered.clear();
      Stmt s(*stmts_, "SELECT " + std::string(kReleaseColumns) +
                          " FROM releases WHERE status = 'running' ORDER BY started_at, id");
      std::vector<ReleaseRecord> dead;
      while (s.step()) {
        ReleaseRecord r = read_release(s);
        WriterIdentity writer{r.writer_pid, r.writer_host, r.writer_boot_id, r.writer_start_ticks};
        if (writer_is_dead(writer, self_)) dead.push_back(std::move(r));
      }
      for (auto& r : dead) {
        recovered.push_back(update_release(r.id, entry_kind::kReleaseInterrupted,
                                           canonical_json(Json{{"finished_at", now_iso()}})));
      }
    });
    if (!done) return std::unexpected(done.error());
    return recovered;
  }

  Result<std::vector<ReleaseRecord>> history(const HistoryQuery& query) override {
    std::vector<ReleaseRecord> out;
    auto done = read("read history", [&] {
      std::string sql = "SELECT " + std::string(kReportedReleaseColumns) + " FROM releases";
      std::vector<std::string> where;
      if (!query.environment.empty()) where.push_back("environment = ?");
      if (!query.since.empty()) where.push_back("started_at >= ?");
      for (std::size_t i = 0; i < where.size(); ++i) sql += (i ? " AND " : " WHERE ") + where[i];
      sql += " ORDER BY started_at DESC, id DESC LIMIT ?";
      Stmt s(*stmts_, sql);
      int i = 1;
      if (!query.environment.empty()) s.bind(i++, query.environment);
      if (!query.since.empty()) s.bind(i++, query.since);
      s.bind(i, std::int64_t{query.limit > 0 ? query.limit : -1});
      while (s.step()) out.push_back(read_release(s));
    });
    if (!done) return std::unexpected(done.error());
    return out;
  }

  Result<ReleaseDetail> show(const std::string& id) override {
    ReleaseDetail detail;
    bool found = false;
    auto done = read("read release " + id, [&] {
      Stmt r(*stmts_,
             "SELECT " + std::string(kReportedReleaseColumns) + " FROM releases WHERE id = ?");
      r.bind(1, id);
      found = r.step();
      if (!found) return;
      detail.release = read_release(r);
      Stmt steps(*stmts_, "SELECT " + std::string(kStepColumns) +
                              " FROM step_runs WHERE release_id = ? ORDER BY entry_seq");
      steps.bind(1, id);
      while (steps.step()) detail.steps.push_back(read_step(steps));
      Stmt checks(*stmts_, "SELECT " + std::string(kCheckColumns) +
                               " FROM checks WHERE release_id = ? ORDER BY entry_seq");
      checks.bind(1, id);
      while (checks.step()) detail.checks.push_back(read_check(checks));
      Stmt events(*stmts_, "SELECT " + std::string(kEventColumns) +
                               " FROM events WHERE release_id = ? ORDER BY entry_seq");
      events.bind(1, id);
      while (events.step()) detail.events.push_back(read_event(events));
    });
    if (!done) return std::unexpected(done.error());
    if (!found) return fail("no release " + id + " in ledger " + path_);
    return detail;
  }

  Result<std::optional<ReleaseRecord>> last_good(const std::string& environment) override {
    std::optional<ReleaseRecord> out;
    auto done = read("read last good release", [&] {
      Stmt s(*stmts_, "SELECT " + std::string(kReportedReleaseColumns) +
                          " FROM releases WHERE environment = ? AND status = 'succeeded'"
                          " ORDER BY started_at DESC, id DESC LIMIT 1");
      s.bind(1, environment);
      if (s.step()) out = read_release(s);
    });
    if (!done) return std::unexpected(done.error());
    return out;
  }

  Result<VerifyReport> verify() override {
    VerifyReport report;
    auto done = read("verify", [&] {
      ChainVerifier verifier;
      Stmt integrity(*stmts_, "PRAGMA quick_check");
      while (integrity.step()) {
        std::string line = integrity.text(0);
        if (line != "ok") verifier.add_problem("ledger file integrity: " + line);
      }
      Stmt entries(*stmts_,
                   "SELECT seq, kind, release_id, payload, prev_hash, hash FROM entries "
                   "ORDER BY seq");
      while (entries.step()) {
        verifier.add_entry(LedgerEntry{entries.integer(0), entries.text(1), entries.text(2),
                                       entries.text(3), entries.text(4), entries.text(5)});
      }
      Stmt releases(*stmts_, "SELECT " + std::string(kReleaseColumns) + " FROM releases");
      while (releases.step()) verifier.add_release_row(read_release(releases));
      Stmt steps(*stmts_, "SELECT " + std::string(kStepColumns) + " FROM step_runs");
      while (steps.step()) verifier.add_step_row(steps.integer(0), read_step(steps));
      Stmt checks(*stmts_, "SELECT " + std::string(kCheckColumns) + " FROM checks");
      while (checks.step()) verifier.add_check_row(checks.integer(0), read_check(checks));
      Stmt events(*stmts_, "SELECT " + std::string(kEventColumns) + " FROM events");
      while (events.step()) verifier.add_event_row(events.integer(0), read_event(events));
      report = verifier.finish();
    });
    if (!done) return std::unexpected(done.error());
    return report;
  }

  Result<bool> import_release(const ReleaseRecord& release) override {
    GOLIVE_TRY(added, import_releases({release}));
    return *added == 1;
  }

  Result<int> import_releases(const std::vector<ReleaseRecord>& releases) override {
    std::vector<ReleaseRecord> clean;
    clean.reserve(releases.size());
    for (const auto& release : releases) {
      ReleaseRecord r = release;
      GOLIVE_RETURN_IF_ERROR(validate_release(r, /*imported=*/true));
      r.writer_pid = 0;  // not written by a live process: recover_interrupted never touches it
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
        insert_release(r, entry_kind::kReleaseImported);
        ++added;
      }
    });
    if (!done) return std::unexpected(done.error());
    return added;
  }

  Result<std::string> head() override {
    std::string hash;
    auto done = read("read chain head", [&] {
      Stmt s(*stmts_, "SELECT hash FROM entries ORDER BY seq DESC LIMIT 1");
      if (s.step()) hash = s.text(0);
    });
    if (!done) return std::unexpected(done.error());
    return hash;
  }

  Result<bool> contains_hash(const std::string& hash) override {
    bool found = false;
    auto done = read("look up chain hash", [&] {
      Stmt s(*stmts_, "SELECT 1 FROM entries WHERE hash = ?");
      s.bind(1, hash);
      found = s.step();
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
    // Imports take the trigger as the host's log says; live releases must use the known ones.
    if (!imported && !kTriggers.contains(r.trigger)) {
      return fail("release " + r.id + ": unknown trigger '" + r.trigger + "' (cli|ci|rollback)");
    }
    return {};
  }

  Error to_error(const std::string& what, const SqlFailure& f) const {
    int primary = f.code & 0xff;
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
      return Error{"ledger " + path_ + " is corrupt: " + f.message +
                       "; restore it from a backup or pass --ledger-optional",
                   ExitCode::kInfra};
    }
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      return Error{"ledger " + path_ + " stayed locked by another golive process for over " +
                       std::to_string(options_.busy_timeout.count() / 1000) + "s (" + what + ")",
                   ExitCode::kInfra};
    }
    return Error{"ledger " + path_ + ": cannot " + what + ": " + f.message, ExitCode::kInfra};
  }

  // One durable transaction; another process's write lock is waited for, never an error.
  template <class Fn>
  Status write(const std::string& what, Fn&& body) {
    std::lock_guard lock(mutex_);
    try {
      exec_retrying(db_, "BEGIN IMMEDIATE", options_.busy_timeout * 4);
      try {
        body();
        exec_retrying(db_, "COMMIT", options_.busy_timeout * 4);
      } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    } catch (const SqlFailure& f) {
      return std::unexpected(to_error(what, f));
    } catch (const LedgerRefusal& r) {
      return fail(r.message);
    }
    return {};
  }

  // One consistent snapshot for a read.
  template <class Fn>
  Status read(const std::string& what, Fn&& body) {
    std::lock_guard lock(mutex_);
    try {
      exec_retrying(db_, "BEGIN", options_.busy_timeout);
      try {
        body();
        exec(db_, "COMMIT");
      } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    } catch (const SqlFailure& f) {
      return std::unexpected(to_error(what, f));
    }
    return {};
  }

  // One step's chain entry and row; runs inside write().
  void insert_step(const StepRunRecord& step) {
    require_release(step.release_id);
    auto [row, payload] = canonical(step, step_to_json, step_from_json);
    std::int64_t seq = append(entry_kind::kStep, row.release_id, payload);
    Stmt s(*stmts_, "INSERT INTO step_runs (" + std::string(kStepColumns) +
                        ") VALUES (?,?,?,?,?,?,?,?,?,?)");
    s.bind_all(seq, row.release_id, row.host, row.step, row.phase, row.started_at, row.finished_at,
               std::int64_t{row.exit_status}, row.outcome, row.output_tail);
    s.run();
  }

  bool release_exists(const std::string& id) {
    Stmt s(*stmts_, "SELECT 1 FROM releases WHERE id = ?");
    s.bind(1, id);
    return s.step();
  }

  void require_release(const std::string& id) {
    if (id.empty()) throw LedgerRefusal{"a step or check record needs a release id"};
    if (!release_exists(id)) throw LedgerRefusal{"no release " + id + " in ledger " + path_};
  }

  // Appends one chain entry after the current head; returns its seq.
  std::int64_t append(std::string_view kind, const std::string& release_id, std::string payload) {
    std::int64_t prev_seq = 0;
    std::string prev_hash{kGenesisHash};
    Stmt h(*stmts_, "SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1");
    if (h.step()) {
      prev_seq = h.integer(0);
      prev_hash = h.text(1);
    }
    LedgerEntry e = next_entry(prev_seq, prev_hash, kind, release_id, std::move(payload));
    Stmt s(*stmts_,
           "INSERT INTO entries (seq, kind, release_id, payload, prev_hash, hash) "
           "VALUES (?,?,?,?,?,?)");
    s.bind_all(e.seq, e.kind, e.release_id, e.payload, e.prev_hash, e.hash);
    s.run();
    return e.seq;
  }

  void insert_release(const ReleaseRecord& release, std::string_view kind) {
    auto [r, payload] = canonical(release, release_to_json, release_from_json);
    std::int64_t seq = append(kind, r.id, payload);
    Stmt s(*stmts_, "INSERT INTO releases (" + std::string(kReleaseColumns) +
                        ", entry_seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    s.bind_all(r.id, r.app, r.environment, r.commit, r.ref, r.subject, r.runbook_hash,
               r.runbook_commit, r.deployer, r.trigger, r.ci_url, r.reason, r.started_at,
               r.finished_at, r.status, r.previous_release, r.time_to_restore_ms,
               std::int64_t{r.allow_dirty ? 1 : 0}, r.writer_pid, r.writer_host, r.writer_boot_id,
               r.writer_start_ticks, seq);
    s.run();
  }

  // Appends a finish/interrupt entry and applies it to the row the same way verify replays it.
  ReleaseRecord update_release(const std::string& id, std::string_view kind,
                               const std::string& payload) {
    Stmt s(*stmts_, "SELECT " + std::string(kReleaseColumns) + " FROM releases WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) throw LedgerRefusal{"no release " + id + " in ledger " + path_};
    ReleaseRecord r = read_release(s);
    append(kind, id, payload);
    apply_release_update(r, kind, payload);
    Stmt u(*stmts_,
           "UPDATE releases SET status = ?, finished_at = ?, time_to_restore_ms = ? WHERE id = ?");
    u.bind_all(r.status, r.finished_at, r.time_to_restore_ms, id);
    u.run();
    return r;
  }

  std::string path_;
  sqlite3* db_;
  std::unique_ptr<StmtCache> stmts_;
  SqliteLedgerOptions options_;
  WriterIdentity self_;
  std::mutex mutex_;
};

int user_version(sqlite3* db) {
  Stmt s(db, "PRAGMA user_version");
  return s.step() ? static_cast<int>(s.integer(0)) : 0;
}

// Migrates to `target` in one write transaction; concurrent openers wait and then find it done.
void migrate(sqlite3* db, const std::string& path, int target, std::chrono::milliseconds patience) {
  exec_retrying(db, "BEGIN IMMEDIATE", patience);
  try {
    int version = user_version(db);
    if (version > kLedgerSchemaVersion) {
      throw LedgerRefusal{"ledger " + path + " has schema v" + std::to_string(version) +
                          ", newer than this golive understands (v" +
                          std::to_string(kLedgerSchemaVersion) + "): upgrade golive"};
    }
    if (version == 0) {
      Stmt s(db, "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'");
      if (s.step() && s.integer(0) > 0) {
        throw LedgerRefusal{path + " is an SQLite database but not a golive ledger"};
      }
    }
    const auto& migrations = ledger_migrations();
    for (int v = version; v < target; ++v) {
      exec(db, std::string(migrations.at(static_cast<std::size_t>(v))));
      exec(db, "PRAGMA user_version = " + std::to_string(v + 1));
    }
    exec(db, "COMMIT");
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

Result<std::unique_ptr<Ledger>> open_at(const std::string& path, int target,
                                        const SqliteLedgerOptions& options) {
  if (path.empty()) return fail("no ledger path given");
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return fail("cannot create directory " + parent.string() + " for ledger " + path + ": " +
                      ec.message(),
                  ExitCode::kInfra);
    }
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return fail("cannot open ledger " + path + ": " + message, ExitCode::kInfra);
  }
  auto close_with = [&](Error e) -> Result<std::unique_ptr<Ledger>> {
    sqlite3_close_v2(db);
    return std::unexpected(std::move(e));
  };
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  try {
    // The first statement reads the header: a garbage or truncated file fails here.
    exec_retrying(db, "PRAGMA journal_mode = WAL", options.busy_timeout);
    exec(db, "PRAGMA synchronous = FULL");  // durable on return, also in WAL mode
    exec(db, "PRAGMA foreign_keys = ON");
    exec(db, "PRAGMA cache_size = -16384");  // 16 MiB: bulk imports and verify stay in memory
    migrate(db, path, target, options.busy_timeout * 4);
    Stmt head(db, "SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1");
    head.step();
  } catch (const SqlFailure& f) {
    int primary = f.code & 0xff;
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
      return close_with(Error{"ledger " + path + " is corrupt: " + f.message +
                                  "; restore it from a backup or pass --ledger-optional",
                              ExitCode::kInfra});
    }
    return close_with(Error{"cannot open ledger " + path + ": " + f.message, ExitCode::kInfra});
  } catch (const LedgerRefusal& r) {
    return close_with(Error{r.message, ExitCode::kInfra});
  }
  return std::make_unique<SqliteLedger>(path, db, options);
}

}  // namespace

Result<std::unique_ptr<Ledger>> open_sqlite_ledger(const std::string& path,
                                                   const SqliteLedgerOptions& options) {
  return open_at(path, kLedgerSchemaVersion, options);
}

Result<std::unique_ptr<Ledger>> open_sqlite_ledger(const std::string& path) {
  return open_sqlite_ledger(path, SqliteLedgerOptions{});
}

Status create_sqlite_ledger_at_version(const std::string& path, int version) {
  if (version < 1 || version > kLedgerSchemaVersion) {
    return fail("no ledger schema v" + std::to_string(version));
  }
  GOLIVE_TRY(ledger, open_at(path, version, SqliteLedgerOptions{}));
  return {};
}

}  // namespace golive
