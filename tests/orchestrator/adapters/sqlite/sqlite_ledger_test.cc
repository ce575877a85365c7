// The SQLite ledger against real files: round trips, two writer processes, a killed writer,
// corrupt files, tampering through the sqlite3 C API, and migration from schema v1.
#include "orchestrator/adapters/sqlite/sqlite_ledger.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "orchestrator/ledger/ledger_chain.h"
#include "tests/harness/scoped_temp_dir.h"

namespace golive {
namespace {

namespace fs = std::filesystem;

using testing::ScopedTempDir;

ReleaseRecord release(const std::string& id, const std::string& env,
                      const std::string& started_at) {
  ReleaseRecord r;
  r.id = id;
  r.app = "client-portal";
  r.environment = env;
  r.commit = "3f2a9c1d0e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49";
  r.ref = "main";
  r.subject = "Fix login redirect";
  r.runbook_hash = "sha256:abc123";
  r.runbook_commit = "3f2a9c1d0e8b";
  r.deployer = "alice";
  r.trigger = "cli";
  r.reason = "weekly release";
  r.started_at = started_at;
  return r;
}

StepRunRecord step_run(const std::string& release_id, const std::string& host,
                       const std::string& name) {
  StepRunRecord s;
  s.release_id = release_id;
  s.host = host;
  s.step = name;
  return s;
}

std::unique_ptr<Ledger> open_or_die(const std::string& path) {
  auto ledger = open_sqlite_ledger(path);
  if (!ledger) throw std::runtime_error(ledger.error().message);
  return std::move(*ledger);
}

// Direct SQL on the file, as an attacker or a curious admin would.
void raw_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string message = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

std::string raw_text(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* p = sqlite3_column_text(stmt, 0);
    out = p ? reinterpret_cast<const char*>(p) : "";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

// A release with steps on two hosts, a check, events and a rollback, as a deploy writes it.
void record_full_release(Ledger& ledger, const std::string& id) {
  ASSERT_TRUE(ledger.begin_release(release(id, "production", "2026-11-29T10:15:00Z")));
  ASSERT_TRUE(ledger.record_event({id, "lock_taken", "by alice", "2026-11-29T10:15:01Z"}));
  for (const char* host : {"web1", "web2"}) {
    StepRunRecord step{
        id, host, "upload",       "deploy", "2026-11-29T10:15:02Z", "2026-11-29T10:15:05Z",
        0,  "ok", "sent 12 files"};
    ASSERT_TRUE(ledger.record_step(step));
  }
  ASSERT_TRUE(ledger.record_step({id, "web1", "restart", "deploy", "2026-11-29T10:15:06Z",
                                  "2026-11-29T10:15:07Z", 1, "failed", "unit failed\nsee log"}));
  ASSERT_TRUE(ledger.record_check({id, "home", "web1", "gate", 3, 12, 40, false, "HTTP 500"}));
  ASSERT_TRUE(ledger.record_event({id, "rollback_started", "gate failed", "2026-11-29T10:16:00Z"}));
  ASSERT_TRUE(ledger.record_step({id, "web1", "switch", "rollback", "2026-11-29T10:16:01Z",
                                  "2026-11-29T10:16:02Z", 0, "ok", ""}));
  ASSERT_TRUE(ledger.record_event({id, "rollback_finished", "", "2026-11-29T10:16:41Z"}));
  ASSERT_TRUE(ledger.finish_release(id, "rolled_back", "2026-11-29T10:16:41Z", 41'000));
}

TEST(SqliteLedger, RecordsAFullReleaseAndReadsItBack) {
  ScopedTempDir dir;
  auto ledger = open_or_die(dir.file("ledger.db"));
  record_full_release(*ledger, "20261129T101500Z-3f2a9c1");

  auto detail = ledger->show("20261129T101500Z-3f2a9c1");
  ASSERT_TRUE(detail) << detail.error().message;
  EXPECT_EQ(detail->release.status, "rolled_back");
  EXPECT_EQ(detail->release.deployer, "alice");
  EXPECT_EQ(detail->release.time_to_restore_ms, 41'000);
  EXPECT_EQ(detail->release.finished_at, "2026-11-29T10:16:41Z");
  EXPECT_EQ(detail->release.writer_pid, getpid());
  EXPECT_FALSE(detail->release.writer_host.empty());
  ASSERT_EQ(detail->steps.size(), 4u);
  EXPECT_EQ(detail->steps[2].step, "restart");
  EXPECT_EQ(detail->steps[2].exit_status, 1);
  EXPECT_EQ(detail->steps[2].output_tail, "unit failed\nsee log");
  EXPECT_EQ(detail->steps[3].phase, "rollback");
  ASSERT_EQ(detail->checks.size(), 1u);
  EXPECT_EQ(detail->checks[0].attempts, 3);
  EXPECT_EQ(detail->checks[0].p95_ms, 40);
  EXPECT_FALSE(detail->checks[0].passed);
  ASSERT_EQ(detail->events.size(), 3u);
  EXPECT_EQ(detail->events[0].kind, "lock_taken");

  auto history = ledger->history({});
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].id, "20261129T101500Z-3f2a9c1");

  auto report = ledger->verify();
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok) << report->first_problem;
  EXPECT_EQ(report->records, 10);
  auto head = ledger->head();
  ASSERT_TRUE(head);
  EXPECT_EQ(*head, report->head);
  EXPECT_EQ(head->size(), 64u);
  EXPECT_EQ(ledger->contains_hash(*head).value_or(false), true);
  EXPECT_EQ(ledger->contains_hash(std::string(64, 'f')).value_or(true), false);

  EXPECT_FALSE(ledger->show("nope"));
}

TEST(SqliteLedger, RecordsManyStepsInOneTransactionInOrderOrNoneOfThem) {
  ScopedTempDir dir;
  auto ledger = open_or_die(dir.file("ledger.db"));
  ASSERT_TRUE(ledger->begin_release(release("r1", "staging", "2026-11-29T10:00:00Z")));
  ASSERT_TRUE(
      ledger->record_steps({step_run("r1", "web1", "upload"), step_run("r1", "web2", "upload"),
                            step_run("r1", "web1", "migrate")}));
  EXPECT_TRUE(ledger->record_steps({}));
  // One bad record refuses the whole batch.
  EXPECT_FALSE(ledger->record_steps(
      {step_run("r1", "web2", "migrate"), step_run("missing", "web1", "upload")}));
  auto detail = ledger->show("r1");
  ASSERT_TRUE(detail) << detail.error().message;
  ASSERT_EQ(detail->steps.size(), 3u);
  EXPECT_EQ(detail->steps[1].host, "web2");
  EXPECT_EQ(detail->steps[2].step, "migrate");
  auto report = ledger->verify();
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok) << report->first_problem;
  EXPECT_EQ(report->records, 4);
}

TEST(SqliteLedger, CreatesParentDirectoryWithWalAndCurrentSchema) {
  ScopedTempDir dir;
  std::string path = dir.file("app/.golive/ledger.db");
  auto ledger = open_or_die(path);
  ASSERT_TRUE(ledger->begin_release(release("r1", "staging", "2026-11-29T10:00:00Z")));
  EXPECT_TRUE(fs::exists(path));
  EXPECT_EQ(raw_text(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw_text(path, "PRAGMA user_version"), std::to_string(kLedgerSchemaVersion));
}

TEST(SqliteLedger, RejectsBadRecords) {
  ScopedTempDir dir;
  auto ledger = open_or_die(dir.file("ledger.db"));
  auto r = release("r1", "staging", "2026-11-29T10:00:00Z");
  r.status = "exploded";
  EXPECT_FALSE(ledger->begin_release(r));
  r.status = "running";
  r.trigger = "cron";
  EXPECT_FALSE(ledger->begin_release(r));
  r.trigger = "ci";
  ASSERT_TRUE(ledger->begin_release(r));
  auto again = ledger->begin_release(r);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("already"), std::string::npos);
  auto orphan = ledger->record_step(step_run("missing", "web1", "upload"));
  ASSERT_FALSE(orphan);
  EXPECT_NE(orphan.error().message.find("missing"), std::string::npos);
  EXPECT_FALSE(ledger->finish_release("r1", "great", "", -1));
  EXPECT_FALSE(ledger->finish_release("missing", "succeeded", "", -1));
  // Events outside any release (a lock broken by hand) are fine.
  EXPECT_TRUE(ledger->record_event({"", "lock_broken", "by bob", ""}));
  EXPECT_TRUE(ledger->verify().value().ok);
}

TEST(SqliteLedger, HistoryIsNewestFirstFilteredByEnvironmentAndSince) {
  ScopedTempDir dir;
  auto ledger = open_or_die(dir.file("ledger.db"));
  ASSERT_TRUE(ledger->begin_release(release("a", "staging", "2026-11-01T09:00:00Z")));
  ASSERT_TRUE(ledger->begin_release(release("b", "production", "2026-11-02T09:00:00Z")));
  ASSERT_TRUE(ledger->begin_release(release("c", "staging", "2026-11-03T09:00:00Z")));
  ASSERT_TRUE(ledger->begin_release(release("d", "production", "2026-11-04T09:00:00Z")));

  auto ids = [&](const HistoryQuery& q) {
    std::string out;
    auto history = ledger->history(q);
    for (const auto& r : history.value()) out += r.id;
    return out;
  };
  EXPECT_EQ(ids({}), "dcba");
  EXPECT_EQ(ids({"staging", 20, ""}), "ca");
  EXPECT_EQ(ids({"", 20, "2026-11-02"}), "dcb");
  EXPECT_EQ(ids({"production", 20, "2026-11-03"}), "d");
  EXPECT_EQ(ids({"", 2, ""}), "dc");
  EXPECT_EQ(ids({"", 0, ""}), "dcba");  // 0: no limit
  EXPECT_EQ(ids({"qa", 20, ""}), "");
}

TEST(SqliteLedger, LastGoodIsTheLatestSucceededReleaseOfTheEnvironment) {
  ScopedTempDir dir;
  auto ledger = open_or_die(dir.file("ledger.db"));
  EXPECT_FALSE(ledger->last_good("production").value().has_value());
  ASSERT_TRUE(ledger->begin_release(release("p1", "production", "2026-11-01T09:00:00Z")));
  ASSERT_TRUE(ledger->finish_release("p1", "succeeded", "2026-11-01T09:05:00Z", -1));
  ASSERT_TRUE(ledger->begin_release(release("p2", "production", "2026-11-02T09:00:00Z")));
  ASSERT_TRUE(ledger->finish_release("p2", "rolled_back", "2026-11-02T09:05:00Z", 30'000));
  ASSERT_TRUE(ledger->begin_release(release("s1", "staging", "2026-11-03T09:00:00Z")));
  ASSERT_TRUE(ledger->finish_release("s1", "succeeded", "2026-11-03T09:05:00Z", -1));
  auto good = ledger->last_good("production");
  ASSERT_TRUE(good && good->has_value());
  EXPECT_EQ((*good)->id, "p1");
  EXPECT_EQ(ledger->last_good("staging").value()->id, "s1");
}

TEST(SqliteLedger, ImportsReleasesKnownOnlyFromHostsOnce) {
  ScopedTempDir dir;
  auto ledger = open_or_die(dir.file("ledger.db"));
  auto r = release("20261101T090000Z-aaaaaaa", "production", "2026-11-01T09:00:00Z");
  r.status = "succeeded";
  r.trigger = "unknown";  // as the host's log says
  r.finished_at = "2026-11-01T09:03:00Z";
  r.writer_pid = 4242;  // ignored: nobody is writing an imported release
  EXPECT_EQ(ledger->import_release(r).value(), true);
  EXPECT_EQ(ledger->import_release(r).value(), false);
  auto r2 = release("20261102T090000Z-bbbbbbb", "production", "2026-11-02T09:00:00Z");
  r2.status = "succeeded";
  EXPECT_EQ(ledger->import_releases({r, r2}).value(), 1);
  auto detail = ledger->show(r.id).value();
  EXPECT_EQ(detail.release.trigger, "unknown");
  EXPECT_EQ(detail.release.writer_pid, 0);
  EXPECT_EQ(ledger->last_good("production").value()->id, r2.id);
  EXPECT_TRUE(ledger->verify().value().ok);
}

TEST(SqliteLedger, ThreadsOfOneProcessShareALedger) {
  ScopedTempDir dir;
  auto ledger = open_or_die(dir.file("ledger.db"));
  ASSERT_TRUE(ledger->begin_release(release("r1", "production", "2026-11-29T10:00:00Z")));
  std::vector<std::thread> hosts;
  for (int h = 0; h < 4; ++h) {
    hosts.emplace_back([&, h] {
      for (int i = 0; i < 10; ++i) {
        EXPECT_TRUE(ledger->record_step(
            step_run("r1", "web" + std::to_string(h), "step" + std::to_string(i))));
      }
    });
  }
  for (auto& t : hosts) t.join();
  EXPECT_EQ(ledger->show("r1").value().steps.size(), 40u);
  EXPECT_TRUE(ledger->verify().value().ok);
}

// Writes `count` releases (begin, two steps, an event, finish) as its own process; exit 0 if all
// writes succeeded.
[[noreturn]] void writer_process(const std::string& path, const std::string& prefix, int count) {
  auto ledger = open_sqlite_ledger(path);
  if (!ledger) {
    std::fprintf(stderr, "%s: %s\n", prefix.c_str(), ledger.error().message.c_str());
    _exit(2);
  }
  for (int i = 0; i < count; ++i) {
    std::string id = prefix + "-" + std::to_string(i);
    std::vector<Status> results;
    results.push_back((*ledger)->begin_release(release(id, prefix, "2026-11-29T10:00:00Z")));
    results.push_back((*ledger)->record_step(step_run(id, "web1", "upload")));
    results.push_back((*ledger)->record_step(step_run(id, "web2", "upload")));
    results.push_back((*ledger)->record_event({id, "lock_taken", prefix, ""}));
    results.push_back((*ledger)->finish_release(id, "succeeded", "", -1));
    for (const auto& r : results) {
      if (!r) {
        std::fprintf(stderr, "%s: %s\n", prefix.c_str(), r.error().message.c_str());
        _exit(1);
      }
    }
  }
  _exit(0);
}

TEST(SqliteLedger, TwoWriterProcessesAreSerializedWithoutLockErrors) {
  ScopedTempDir dir;
  std::string path = dir.file(".golive/ledger.db");
  constexpr int kCount = 25;
  std::vector<pid_t> children;
  for (const char* who : {"ci", "oncall"}) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) writer_process(path, who, kCount);
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "a writer process failed (see stderr)";
  }
  auto ledger = open_or_die(path);
  EXPECT_EQ(ledger->history({"ci", 0, ""}).value().size(), static_cast<std::size_t>(kCount));
  EXPECT_EQ(ledger->history({"oncall", 0, ""}).value().size(), static_cast<std::size_t>(kCount));
  auto report = ledger->verify().value();
  EXPECT_TRUE(report.ok) << report.first_problem;
  EXPECT_EQ(report.records, 2 * kCount * 5);
}

// Kills and reaps test children even when an assertion returns early.
struct Children {
  std::vector<pid_t> pids;
  ~Children() {
    for (pid_t pid : pids) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

// A child that begins a release, tells the parent, and waits to be killed.
pid_t start_release_and_wait(const std::string& path, const std::string& id) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    auto ledger = open_sqlite_ledger(path);
    if (!ledger || !(*ledger)->begin_release(release(id, "production", "2026-11-29T10:00:00Z")) ||
        !(*ledger)->record_step({id, "web1", "upload", "deploy", "", "", 0, "ok", ""})) {
      _exit(1);
    }
    char ready = 'r';
    if (write(fds[1], &ready, 1) != 1) _exit(1);
    for (;;) pause();
  }
  close(fds[1]);
  char ready = 0;
  bool ok = read(fds[0], &ready, 1) == 1;
  close(fds[0]);
  if (!ok) {
    waitpid(pid, nullptr, 0);
    return -1;
  }
  return pid;
}

TEST(SqliteLedger, ReleaseOfAKilledWriterIsRecoveredAsInterrupted) {
  ScopedTempDir dir;
  std::string path = dir.file("ledger.db");
  Children children;
  pid_t killed = start_release_and_wait(path, "killed");
  ASSERT_GT(killed, 0);
  ASSERT_EQ(kill(killed, SIGKILL), 0);
  ASSERT_EQ(waitpid(killed, nullptr, 0), killed);
  pid_t alive = start_release_and_wait(path, "alive");
  ASSERT_GT(alive, 0);
  children.pids.push_back(alive);

  auto ledger = open_or_die(path);
  auto recovered = ledger->recover_interrupted();
  ASSERT_TRUE(recovered) << recovered.error().message;
  ASSERT_EQ(recovered->size(), 1u);
  EXPECT_EQ((*recovered)[0].id, "killed");
  EXPECT_EQ((*recovered)[0].status, "interrupted");
  EXPECT_FALSE((*recovered)[0].finished_at.empty());
  auto detail = ledger->show("killed").value();
  EXPECT_EQ(detail.release.status, "interrupted");
  EXPECT_EQ(detail.steps.size(), 1u);  // what it had done
  EXPECT_EQ(ledger->show("alive").value().release.status, "running");
  EXPECT_TRUE(ledger->recover_interrupted().value().empty());

  // The other writer dies too (not yet reaped: a zombie counts as dead).
  ASSERT_EQ(kill(alive, SIGKILL), 0);
  for (int i = 0; i < 500; ++i) {
    if (ledger->recover_interrupted().value().size() == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(ledger->show("alive").value().release.status, "interrupted");
  EXPECT_TRUE(ledger->verify().value().ok);
}

TEST(SqliteLedger, WriterOnAnotherHostIsNeverDeclaredDead) {
  ScopedTempDir dir;
  std::string path = dir.file("ledger.db");
  {
    auto ledger = open_or_die(path);
    ASSERT_TRUE(ledger->begin_release(release("elsewhere", "production", "2026-11-29T10:00:00Z")));
  }
  // As if a laptop that shares the file via a synced folder wrote it.
  raw_sql(path, "UPDATE releases SET writer_host = 'laptop-of-bob' WHERE id = 'elsewhere'");
  auto ledger = open_or_die(path);
  EXPECT_TRUE(ledger->recover_interrupted().value().empty());
}

void write_sample_ledger(const std::string& path, int releases) {
  auto ledger = open_or_die(path);
  for (int i = 0; i < releases; ++i) {
    std::string id = "r" + std::to_string(i);
    ASSERT_TRUE(ledger->begin_release(release(id, "production", "2026-11-29T10:00:00Z")));
    ASSERT_TRUE(ledger->record_step(
        {id, "web1", "install", "deploy", "", "", 0, "ok", std::string(2000, 'x')}));
  }
}

TEST(SqliteLedger, TruncatedFileIsAClearError) {
  ScopedTempDir dir;
  std::string path = dir.file("ledger.db");
  write_sample_ledger(path, 40);
  ASSERT_FALSE(fs::exists(path + "-wal") && fs::file_size(path + "-wal") > 0);
  fs::resize_file(path, fs::file_size(path) / 2);
  auto ledger = open_sqlite_ledger(path);
  ASSERT_FALSE(ledger);
  EXPECT_NE(ledger.error().message.find("ledger " + path + " is corrupt"), std::string::npos)
      << ledger.error().message;
  EXPECT_NE(ledger.error().message.find("--ledger-optional"), std::string::npos);
}

TEST(SqliteLedger, GarbageFileIsAClearError) {
  ScopedTempDir dir;
  std::string path = dir.file("ledger.db");
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 4096; ++i) out << "not a database, just some garbage text. ";
  }
  auto ledger = open_sqlite_ledger(path);
  ASSERT_FALSE(ledger);
  EXPECT_NE(ledger.error().message.find("ledger " + path + " is corrupt"), std::string::npos)
      << ledger.error().message;
}

TEST(SqliteLedger, RefusesOtherDatabasesAndNewerSchemas) {
  ScopedTempDir dir;
  std::string other = dir.file("other.db");
  raw_sql(other, "CREATE TABLE customers (id INTEGER)");
  auto a = open_sqlite_ledger(other);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find("not a golive ledger"), std::string::npos);

  std::string newer = dir.file("newer.db");
  open_or_die(newer);
  raw_sql(newer, "PRAGMA user_version = 99");
  auto b = open_sqlite_ledger(newer);
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("newer"), std::string::npos);
}

TEST(SqliteLedger, VerifyNamesAReleaseEditedOutsideGolive) {
  ScopedTempDir dir;
  std::string path = dir.file("ledger.db");
  {
    auto ledger = open_or_die(path);
    record_full_release(*ledger, "r1");
    record_full_release(*ledger, "r2");
    record_full_release(*ledger, "r3");
  }
  raw_sql(path, "UPDATE releases SET deployer = 'mallory' WHERE id = 'r2'");
  auto report = open_or_die(path)->verify().value();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.first_problem.find("release r2"), std::string::npos) << report.first_problem;
  EXPECT_NE(report.first_problem.find("deployer"), std::string::npos);
  EXPECT_NE(report.first_problem.find("mallory"), std::string::npos);
}

TEST(SqliteLedger, VerifyDetectsEditedStatusAndStepOutput) {
  ScopedTempDir dir;
  std::string path = dir.file("ledger.db");
  record_full_release(*open_or_die(path), "r1");
  raw_sql(path, "UPDATE step_runs SET output_tail = 'all good' WHERE step = 'restart'");
  auto report = open_or_die(path)->verify().value();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.first_problem.find("output_tail"), std::string::npos) << report.first_problem;
  EXPECT_NE(report.first_problem.find("release r1"), std::string::npos);
}

TEST(SqliteLedger, VerifyDetectsADeletedEvent) {
  ScopedTempDir dir;
  std::string path = dir.file("ledger.db");
  record_full_release(*open_or_die(path), "r1");
  raw_sql(path, "DELETE FROM events WHERE kind = 'rollback_started'");
  auto report = open_or_die(path)->verify().value();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.first_problem.find("rollback_started of release r1"), std::string::npos)
      << report.first_problem;
  EXPECT_NE(report.first_problem.find("missing from events"), std::string::npos);
}

TEST(SqliteLedger, VerifyDetectsARowInsertedOutsideGolive) {
  ScopedTempDir dir;
  std::string path = dir.file("ledger.db");
  record_full_release(*open_or_die(path), "r1");
  raw_sql(path,
          "INSERT INTO releases (id, environment, status, entry_seq) "
          "VALUES ('forged', 'production', 'succeeded', 1)");
  auto report = open_or_die(path)->verify().value();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.first_problem.find("release forged: not in the hash chain"), std::string::npos)
      << report.first_problem;
}

TEST(SqliteLedger, ChainEntriesAreAppendOnly) {
  ScopedTempDir dir;
  std::string path = dir.file("ledger.db");
  record_full_release(*open_or_die(path), "r1");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "UPDATE entries SET payload = '{}'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM entries", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

// A determined tamperer drops the append-only triggers first.
const char* kDropGuards =
    "DROP TRIGGER entries_append_only_update; DROP TRIGGER entries_append_only_delete;";

TEST(SqliteLedger, VerifyDetectsADeletedChainEntry) {
  ScopedTempDir dir;
  std::string path = dir.file("ledger.db");
  record_full_release(*open_or_die(path), "r1");
  raw_sql(path,
          std::string(kDropGuards) +
              "DELETE FROM entries WHERE seq = 4; DELETE FROM step_runs WHERE entry_seq = 4;");
  auto report = open_or_die(path)->verify().value();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.first_problem.find("entry #4 missing"), std::string::npos)
      << report.first_problem;
}

TEST(SqliteLedger, VerifyDetectsReorderedEntries) {
  ScopedTempDir dir;
  std::string path = dir.file("ledger.db");
  record_full_release(*open_or_die(path), "r1");
  // Swap entries 3 and 4 (and their rows), so the story reads in another order.
  raw_sql(path, std::string(kDropGuards) +
                    "PRAGMA foreign_keys = OFF;"
                    "UPDATE entries SET seq = -seq WHERE seq IN (3, 4);"
                    "UPDATE entries SET seq = 7 + seq WHERE seq IN (-3, -4);"
                    "UPDATE step_runs SET entry_seq = -entry_seq WHERE entry_seq IN (3, 4);"
                    "UPDATE step_runs SET entry_seq = 7 + entry_seq WHERE entry_seq IN (-3, -4);");
  auto report = open_or_die(path)->verify().value();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.first_problem.find("entry #3"), std::string::npos) << report.first_problem;
}

TEST(SqliteLedger, VerifyDetectsAnEntryInsertedIntoTheMiddleOfTheChain) {
  ScopedTempDir dir;
  std::string path = dir.file("ledger.db");
  record_full_release(*open_or_die(path), "r1");
  // The forger even computes a valid hash for the inserted entry; the next link still breaks.
  std::string prev = raw_text(path, "SELECT hash FROM entries WHERE seq = 2");
  std::string payload = R"({"at":"","detail":"forged","kind":"lock_broken","release_id":"r1"})";
  std::string hash = entry_hash(prev, 3, "event", "r1", payload);
  raw_sql(path, std::string(kDropGuards) +
                    "PRAGMA foreign_keys = OFF;"
                    "UPDATE entries SET seq = seq + 1000 WHERE seq >= 3;"
                    "UPDATE entries SET seq = seq - 999 WHERE seq >= 1003;"
                    "UPDATE step_runs SET entry_seq = entry_seq + 1000 WHERE entry_seq >= 3;"
                    "UPDATE step_runs SET entry_seq = entry_seq - 999 WHERE entry_seq >= 1003;"
                    "UPDATE checks SET entry_seq = entry_seq + 1000 WHERE entry_seq >= 3;"
                    "UPDATE checks SET entry_seq = entry_seq - 999 WHERE entry_seq >= 1003;"
                    "UPDATE events SET entry_seq = entry_seq + 1000 WHERE entry_seq >= 3;"
                    "UPDATE events SET entry_seq = entry_seq - 999 WHERE entry_seq >= 1003;"
                    "INSERT INTO entries VALUES (3, 'event', 'r1', '" +
                    payload + "', '" + prev + "', '" + hash +
                    "');"
                    "INSERT INTO events (entry_seq, release_id, kind, detail, at) "
                    "VALUES (3, 'r1', 'lock_broken', 'forged', '');");
  auto report = open_or_die(path)->verify().value();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.first_problem.find("entry #4"), std::string::npos) << report.first_problem;
  EXPECT_NE(report.first_problem.find("link"), std::string::npos);
}

TEST(SqliteLedger, MigratesAVersion1LedgerWithData) {
  ScopedTempDir dir;
  std::string path = dir.file("ledger.db");
  ASSERT_TRUE(create_sqlite_ledger_at_version(path, 1));
  ASSERT_EQ(raw_text(path, "PRAGMA user_version"), "1");
  // What golive with schema v1 wrote: payloads without ci_url / time_to_restore_ms.
  std::string begun =
      R"({"allow_dirty":false,"app":"client-portal","commit":"abc1234","deployer":"carol",)"
      R"("environment":"production","finished_at":"","id":"old1","previous_release":"",)"
      R"("reason":"","ref":"main","runbook_commit":"","runbook_hash":"","started_at":)"
      R"("2026-10-01T08:00:00Z","status":"running","subject":"Old release","trigger":"ci",)"
      R"("writer_boot_id":"","writer_host":"","writer_pid":0,"writer_start_ticks":0})";
  std::string step =
      R"({"exit_status":0,"finished_at":"","host":"web1","outcome":"ok","output_tail":"done",)"
      R"("phase":"deploy","release_id":"old1","started_at":"","step":"upload"})";
  std::string finished = R"({"finished_at":"2026-10-01T08:04:00Z","status":"succeeded"})";
  std::string h1 = entry_hash(kGenesisHash, 1, "release_begun", "old1", begun);
  std::string h2 = entry_hash(h1, 2, "step", "old1", step);
  std::string h3 = entry_hash(h2, 3, "release_finished", "old1", finished);
  raw_sql(path, "INSERT INTO entries VALUES (1, 'release_begun', 'old1', '" + begun + "', '" +
                    std::string(kGenesisHash) + "', '" + h1 +
                    "');"
                    "INSERT INTO entries VALUES (2, 'step', 'old1', '" +
                    step + "', '" + h1 + "', '" + h2 +
                    "');"
                    "INSERT INTO entries VALUES (3, 'release_finished', 'old1', '" +
                    finished + "', '" + h2 + "', '" + h3 +
                    "');"
                    "INSERT INTO releases (id, app, environment, commit_sha, ref, subject, "
                    "deployer, trigger_kind, started_at, finished_at, status, entry_seq) VALUES "
                    "('old1', 'client-portal', 'production', 'abc1234', 'main', 'Old release', "
                    "'carol', 'ci', '2026-10-01T08:00:00Z', '2026-10-01T08:04:00Z', "
                    "'succeeded', 1);"
                    "INSERT INTO step_runs (entry_seq, release_id, host, step, phase, "
                    "exit_status, outcome, output_tail) VALUES "
                    "(2, 'old1', 'web1', 'upload', 'deploy', 0, 'ok', 'done');");

  auto ledger = open_or_die(path);
  EXPECT_EQ(raw_text(path, "PRAGMA user_version"), std::to_string(kLedgerSchemaVersion));
  EXPECT_EQ(raw_text(path, "SELECT name FROM sqlite_master WHERE name = 'releases_by_env_start'"),
            "releases_by_env_start");
  auto detail = ledger->show("old1").value();
  EXPECT_EQ(detail.release.deployer, "carol");
  EXPECT_EQ(detail.release.ci_url, "");
  EXPECT_EQ(detail.release.time_to_restore_ms, -1);
  EXPECT_EQ(detail.steps.size(), 1u);
  EXPECT_EQ(ledger->last_good("production").value()->id, "old1");
  auto report = ledger->verify().value();
  EXPECT_TRUE(report.ok) << report.first_problem;
  EXPECT_EQ(report.head, h3);

  // The migrated ledger takes new records with the new columns and still verifies.
  auto r = release("new1", "production", "2026-11-29T10:00:00Z");
  r.ci_url = "https://ci.example.com/run/7";
  ASSERT_TRUE(ledger->begin_release(r));
  ASSERT_TRUE(ledger->finish_release("new1", "rolled_back", "2026-11-29T10:02:00Z", 15'000));
  EXPECT_EQ(ledger->show("new1").value().release.ci_url, "https://ci.example.com/run/7");
  EXPECT_EQ(ledger->show("new1").value().release.time_to_restore_ms, 15'000);
  EXPECT_TRUE(ledger->verify().value().ok);
}

TEST(SqliteLedger, MigratesAnEmptyLedgerFromEveryEarlierVersion) {
  for (int version = 1; version < kLedgerSchemaVersion; ++version) {
    ScopedTempDir dir;
    std::string path = dir.file("ledger.db");
    ASSERT_TRUE(create_sqlite_ledger_at_version(path, version));
    auto ledger = open_or_die(path);
    EXPECT_EQ(raw_text(path, "PRAGMA user_version"), std::to_string(kLedgerSchemaVersion));
    ASSERT_TRUE(ledger->begin_release(release("r1", "production", "2026-11-29T10:00:00Z")));
    EXPECT_TRUE(ledger->verify().value().ok);
  }
}

TEST(SqliteLedger, InvalidUtf8InOutputStillVerifies) {
  ScopedTempDir dir;
  auto ledger = open_or_die(dir.file("ledger.db"));
  ASSERT_TRUE(ledger->begin_release(release("r1", "production", "2026-11-29T10:00:00Z")));
  ASSERT_TRUE(ledger->record_step(
      {"r1", "web1", "build", "deploy", "", "", 0, "ok", std::string("bin\xff\xfe ok\0x", 10)}));
  EXPECT_TRUE(ledger->verify().value().ok);
}

}  // namespace
}  // namespace golive
