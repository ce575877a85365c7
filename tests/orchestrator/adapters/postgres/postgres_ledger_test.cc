// The PostgreSQL ledger against a real server (tests/harness/postgres_server.h): migrations,
// concurrent openers and writers, tamper evidence through psql, heartbeats, a least-privilege
// role, redacted errors.
#include "orchestrator/adapters/postgres/postgres_ledger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

#include "orchestrator/ledger/ledger_location.h"
#include "tests/harness/postgres_server.h"
#include "tests/harness/scenario.h"

namespace golive::testing {
namespace {

// One server for this file's tests; each test uses its own database.
PostgresServer* server() {
  static std::unique_ptr<PostgresServer> s = [] {
    return PostgresServer::unavailable_reason().empty() ? std::make_unique<PostgresServer>()
                                                        : nullptr;
  }();
  return s.get();
}

class PostgresLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = PostgresServer::unavailable_reason();
    if (!why.empty()) GTEST_SKIP() << "no PostgreSQL server: " << why;
    static std::atomic<int> counter{0};
    db_ = "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    server()->create_database(db_);
    setenv("PGPASSWORD", server()->password().c_str(), 1);
  }

  std::unique_ptr<Ledger> open(PostgresLedgerOptions options = {}) {
    auto ledger = open_postgres_ledger(server()->url(db_), options);
    EXPECT_TRUE(ledger) << ledger.error().message;
    return ledger ? std::move(*ledger) : nullptr;
  }

  static ReleaseRecord release(const std::string& id, const std::string& env = "staging") {
    ReleaseRecord r;
    r.id = id;
    r.app = "portal";
    r.environment = env;
    r.commit = "3f2a9c1";
    r.deployer = "alice";
    r.started_at = "2026-11-29T10:15:00Z";
    return r;
  }

  static StepRunRecord step(const std::string& id, const std::string& host) {
    StepRunRecord s;
    s.release_id = id;
    s.host = host;
    s.step = "upload";
    s.exit_status = 0;
    s.outcome = "ok";
    return s;
  }

  std::string db_;
};

TEST_F(PostgresLedgerTest, MigratesAnEmptyDatabaseOnceAndReopens) {
  auto ledger = open();
  ASSERT_TRUE(ledger);
  EXPECT_EQ(server()->psql(db_, "SELECT version FROM golive_schema"),
            std::to_string(kPostgresLedgerSchemaVersion));
  ASSERT_TRUE(ledger->begin_release(release("r1")));
  auto again = open();
  ASSERT_TRUE(again);
  auto rows = again->history({});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(server()->psql(db_, "SELECT count(*) FROM golive_schema"), "1");
}

TEST_F(PostgresLedgerTest, ConcurrentOpenersOfAFreshDatabaseAllSucceed) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      auto ledger = open_postgres_ledger(server()->url(db_));
      if (!ledger) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server()->psql(db_, "SELECT version FROM golive_schema"),
            std::to_string(kPostgresLedgerSchemaVersion));
}

TEST_F(PostgresLedgerTest, ConcurrentWritersKeepOneChain) {
  constexpr int kWriters = 4, kReleases = 5;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto ledger = open_postgres_ledger(server()->url(db_));
      if (!ledger) {
        ++failures;
        return;
      }
      for (int i = 0; i < kReleases; ++i) {
        std::string id = "w" + std::to_string(w) + "-" + std::to_string(i);
        if (!(*ledger)->begin_release(release(id, "env" + std::to_string(w)))) ++failures;
        if (!(*ledger)->record_steps({step(id, "web1"), step(id, "web2")})) ++failures;
        if (!(*ledger)->finish_release(id, "succeeded", "", -1)) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto ledger = open();
  auto report = ledger->verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->first_problem;
  EXPECT_EQ(report->records, kWriters * kReleases * 4);
}

TEST_F(PostgresLedgerTest, RowEditedWithPsqlIsCaughtByVerify) {
  auto ledger = open();
  ASSERT_TRUE(ledger->begin_release(release("r1")));
  ASSERT_TRUE(ledger->finish_release("r1", "succeeded", "", -1));
  ASSERT_TRUE(ledger->verify()->ok);
  int rc = 0;
  std::string out = server()->psql(db_, "UPDATE releases SET deployer = 'mallory'", &rc);
  ASSERT_EQ(rc, 0) << out;
  auto report = ledger->verify();
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok);
  EXPECT_NE(report->first_problem.find("mallory"), std::string::npos) << report->first_problem;
  EXPECT_NE(report->first_problem.find("r1"), std::string::npos) << report->first_problem;
  // The chain itself refuses edits even to the superuser's casual UPDATE.
  out = server()->psql(db_, "UPDATE entries SET kind = 'x'", &rc);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("append-only"), std::string::npos) << out;
}

TEST_F(PostgresLedgerTest, ReleaseWithoutHeartbeatIsInterruptedOnlyWhenStale) {
  PostgresLedgerOptions beating;
  beating.heartbeat_interval = std::chrono::milliseconds(200);
  auto writer = open(beating);
  ASSERT_TRUE(writer->begin_release(release("alive")));
  // Another ledger connection's view (as on another machine): a beating release is left alone.
  PostgresLedgerOptions watcher;
  watcher.stale_after = std::chrono::milliseconds(1500);
  auto other = open(watcher);
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  auto none = other->recover_interrupted();
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty()) << "a release still beating was declared dead";
  // Its writer stops beating (a machine that died): after stale_after it is interrupted.
  writer.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  auto dead = other->recover_interrupted();
  ASSERT_TRUE(dead);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].id, "alive");
  EXPECT_EQ((*dead)[0].status, "interrupted");
}

TEST_F(PostgresLedgerTest, RoleWithInsertAndSelectOnlyCanDeployButNotRewriteTheChain) {
  ASSERT_TRUE(open());  // the owner creates the schema
  int rc = 0;
  std::string out = server()->psql(db_,
                                   "CREATE ROLE golive_ci_" + db_ +
                                       " LOGIN PASSWORD 'ci-FAKE-pw';"
                                       "GRANT CONNECT ON DATABASE " +
                                       db_ + " TO golive_ci_" + db_ +
                                       ";"
                                       "GRANT SELECT, INSERT ON entries, releases, step_runs, "
                                       "checks, events, golive_schema TO golive_ci_" +
                                       db_ +
                                       ";"
                                       "GRANT UPDATE (status, finished_at, time_to_restore_ms, "
                                       "heartbeat_at) ON releases TO golive_ci_" +
                                       db_ + ";",
                                   &rc);
  ASSERT_EQ(rc, 0) << out;
  std::string url = "postgresql://golive_ci_" + db_ +
                    ":ci-FAKE-pw@127.0.0.1:" + std::to_string(server()->port()) + "/" + db_;
  auto ci = open_postgres_ledger(url);
  ASSERT_TRUE(ci) << ci.error().message;
  ASSERT_TRUE((*ci)->begin_release(release("r1")));
  ASSERT_TRUE((*ci)->record_steps({step("r1", "web1")}));
  ASSERT_TRUE((*ci)->finish_release("r1", "succeeded", "", -1));
  ASSERT_TRUE((*ci)->recover_interrupted());
  auto report = (*ci)->verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->first_problem;
  // The server refuses what the role may not do, whatever the client.
  out = Scenario::sh("PGPASSWORD=ci-FAKE-pw psql -X -At -h 127.0.0.1 -p " +
                         std::to_string(server()->port()) + " -U golive_ci_" + db_ + " -d " + db_ +
                         " -c \"DELETE FROM step_runs\" 2>&1",
                     &rc);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("permission denied"), std::string::npos) << out;
  out = Scenario::sh("PGPASSWORD=ci-FAKE-pw psql -X -At -h 127.0.0.1 -p " +
                         std::to_string(server()->port()) + " -U golive_ci_" + db_ + " -d " + db_ +
                         " -c \"UPDATE releases SET deployer = 'mallory'\" 2>&1",
                     &rc);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("permission denied"), std::string::npos) << out;
}

TEST_F(PostgresLedgerTest, UnreachableServerIsAnInfraErrorWithThePasswordRedacted) {
  int port = free_tcp_port();
  std::string url = "postgresql://alice:s3cret-FAKE-pw@127.0.0.1:" + std::to_string(port) + "/x";
  auto ledger = open_postgres_ledger(url);
  ASSERT_FALSE(ledger);
  EXPECT_EQ(ledger.error().exit, ExitCode::kInfra);
  EXPECT_EQ(ledger.error().message.find("s3cret-FAKE-pw"), std::string::npos)
      << ledger.error().message;
  EXPECT_NE(ledger.error().message.find("postgresql://alice:***@127.0.0.1"), std::string::npos)
      << ledger.error().message;
}

TEST(LedgerLocation, RedactsPasswordsInUrlsOnly) {
  EXPECT_EQ(redacted_ledger("postgresql://u:p%40ss@h:5/db?sslmode=require&password=x"),
            "postgresql://u:***@h:5/db?sslmode=require&password=***");
  EXPECT_EQ(ledger_url_password("postgresql://u:p%40ss@h:5/db"), "p@ss");
  EXPECT_EQ(redacted_ledger("postgres://u@h/db"), "postgres://u@h/db");
  EXPECT_EQ(redacted_ledger("/tmp/a:b@c/ledger.db"), "/tmp/a:b@c/ledger.db");
  EXPECT_TRUE(is_ledger_url("postgresql://h/db"));
  EXPECT_FALSE(is_ledger_url(".golive/ledger.db"));
}

}  // namespace
}  // namespace golive::testing
