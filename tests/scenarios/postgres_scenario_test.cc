// Issue 12 end to end: the real binary with a shared PostgreSQL ledger on a real server — two
// working copies deploying at once, tampering caught, server down before and during a deploy,
// ledger push from SQLite, and the password never leaving the process.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <set>

#include "tests/harness/postgres_server.h"
#include "tests/harness/scenario.h"
#include "tests/scenarios/scenario_helpers.h"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

class PostgresScenario : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = PostgresServer::unavailable_reason();
    if (!why.empty()) GTEST_SKIP() << "no PostgreSQL server: " << why;
    server_ = std::make_unique<PostgresServer>();
    server_->create_database("ledger");
  }

  // GOLIVE_LEDGER pointing at the server with the password in the URL (the case that must never
  // leak it).
  std::map<std::string, std::string> env() const {
    return {{"GOLIVE_LEDGER", server_->url_with_password("ledger")}};
  }

  void expect_no_password(const GoliveRun& run, const std::string& where) const {
    EXPECT_EQ(run.all().find(server_->password()), std::string::npos)
        << where << " leaks the ledger password: " << run.all();
  }

  json history(Scenario& s) {
    GoliveRun run = s.golive({"history", "--json", "--limit", "100"}, env());
    EXPECT_EQ(run.exit_code, 0) << run.all();
    expect_no_password(run, "history");
    return parse(run.out);
  }

  std::unique_ptr<PostgresServer> server_;
};

TEST_F(PostgresScenario, TwoWorkingCopiesDeployTwoEnvironmentsAtOnceIntoOneChain) {
  Scenario a(2);
  Scenario b(2);
  b.edit_runbook({{"  staging:\n", "  production:\n"}});
  b.commit("production");
  pid_t pa = a.start_golive({"deploy", "staging", "--json"}, env());
  pid_t pb = b.start_golive({"deploy", "production", "--json"}, env());
  GoliveRun ra = a.wait_golive(pa);
  GoliveRun rb = b.wait_golive(pb);
  ASSERT_EQ(ra.exit_code, 0) << ra.all();
  ASSERT_EQ(rb.exit_code, 0) << rb.all();
  expect_no_password(ra, "deploy a");
  expect_no_password(rb, "deploy b");
  EXPECT_EQ(ra.all().find("ledger:"), std::string::npos) << "a ledger write failed: " << ra.all();
  EXPECT_EQ(rb.all().find("ledger:"), std::string::npos) << "a ledger write failed: " << rb.all();
  json rows = history(a);
  ASSERT_TRUE(rows.is_array());
  std::map<std::string, std::string> env_of;
  for (const auto& r : rows) env_of[r.value("id", "")] = r.value("environment", "");
  EXPECT_EQ(env_of[release_of(ra)], "staging") << rows.dump(1);
  EXPECT_EQ(env_of[release_of(rb)], "production") << rows.dump(1);
  // Both histories are complete: every host's steps and the gate's checks.
  for (auto* s : {&a, &b}) {
    std::string id = release_of(s == &a ? ra : rb);
    GoliveRun shown = s->golive({"show", id, "--json"}, env());
    json detail = parse(shown.out);
    ASSERT_TRUE(detail.is_object()) << shown.all();
    EXPECT_EQ(detail["release"].value("status", ""), "succeeded");
    std::set<std::string> hosts;
    for (const auto& st : detail["steps"]) {
      if (st.value("phase", "") == "deploy") hosts.insert(st.value("host", ""));
    }
    EXPECT_EQ(hosts, (std::set<std::string>{"web1", "web2"})) << detail.dump(1);
    EXPECT_FALSE(detail["checks"].empty());
  }
  GoliveRun verify = b.golive({"ledger", "verify"}, env());
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
  expect_no_password(verify, "verify");
  // Each working copy's hosts hold a head of the one shared chain.
  EXPECT_EQ(a.golive({"ledger", "verify", "--hosts", "staging"}, env()).exit_code, 0);
  EXPECT_EQ(b.golive({"ledger", "verify", "--hosts", "production"}, env()).exit_code, 0);
}

TEST_F(PostgresScenario, RowEditedWithPsqlIsCaughtByVerify) {
  Scenario s(1);
  GoliveRun deploy = s.golive({"deploy", "staging", "--json"}, env());
  ASSERT_EQ(deploy.exit_code, 0) << deploy.all();
  std::string id = release_of(deploy);
  ASSERT_EQ(s.golive({"ledger", "verify"}, env()).exit_code, 0);
  int rc = 0;
  std::string out = server_->psql(
      "ledger", "UPDATE step_runs SET outcome = 'ok', exit_status = 7 WHERE host = 'web1'", &rc);
  ASSERT_EQ(rc, 0) << out;
  GoliveRun bad = s.golive({"ledger", "verify"}, env());
  EXPECT_EQ(bad.exit_code, 3) << bad.all();
  EXPECT_NE(bad.all().find(id), std::string::npos) << bad.all();
  EXPECT_NE(bad.all().find("exit_status"), std::string::npos) << bad.all();
  expect_no_password(bad, "verify");
}

TEST_F(PostgresScenario, ServerDownBeforeDeployExitsFiveTouchingNoHost) {
  Scenario s(2);
  server_->stop();
  GoliveRun run = s.golive({"deploy", "staging"}, env());
  EXPECT_EQ(run.exit_code, 5) << run.all();
  EXPECT_NE(run.all().find("postgresql://golive_admin:***@127.0.0.1:" +
                           std::to_string(server_->port()) + "/ledger"),
            std::string::npos)
      << "the error names the ledger, password redacted: " << run.all();
  expect_no_password(run, "deploy");
  EXPECT_EQ(Scenario::read_file(s.repo() + "/.golive/golive.log").find(server_->password()),
            std::string::npos);
  for (int k = 1; k <= s.hosts(); ++k) EXPECT_FALSE(s.touched(k)) << "web" << k;
  // --ledger-optional keeps its meaning: deploy, loudly unrecorded.
  GoliveRun optional = s.golive({"deploy", "staging", "--ledger-optional"}, env());
  EXPECT_EQ(optional.exit_code, 0) << optional.all();
  EXPECT_NE(optional.all().find("LEDGER UNAVAILABLE"), std::string::npos) << optional.all();
  expect_no_password(optional, "deploy --ledger-optional");
}

TEST_F(PostgresScenario, ServerLostMidDeployIsSpooledAndReplayedByTheNextCommand) {
  Scenario s(2);
  s.write("golive.yml",
          runbook(s, steps_block("  - { name: pause, run: \"sleep 3\" }\n", ""), "", "", ""));
  s.commit("v1 with a pause before the switch");
  pid_t pid = s.start_golive({"deploy", "staging", "--json"}, env());
  // Stop the server once the deploy is under way (its upload steps are recorded).
  bool started = Scenario::wait_until(
      [&] {
        int rc = 0;
        std::string n =
            server_->psql("ledger", "SELECT count(*) FROM step_runs WHERE step = 'upload'", &rc);
        return rc == 0 && n != "0";
      },
      std::chrono::seconds(60));
  server_->stop();
  GoliveRun run = s.wait_golive(pid);
  ASSERT_TRUE(started) << run.all();
  EXPECT_EQ(run.exit_code, 0) << "the hosts are the truth: the deploy carries on\n" << run.all();
  std::string id = release_of(run);
  expect_all_serve(s, id);
  EXPECT_NE(run.all().find("LEDGER UNREACHABLE"), std::string::npos) << run.all();
  expect_no_password(run, "deploy");
  bool spooled = false;
  for (const auto& f : fs::directory_iterator(s.repo() + "/.golive")) {
    if (f.path().filename().string().starts_with("ledger-spool-") &&
        f.path().extension() == ".jsonl") {
      spooled = true;
      EXPECT_EQ(Scenario::read_file(f.path().string()).find(server_->password()),
                std::string::npos);
    }
  }
  EXPECT_TRUE(spooled) << "no spool file in " << s.repo() << "/.golive";

  server_->start();
  GoliveRun verify = s.golive({"ledger", "verify"}, env());
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
  EXPECT_NE(verify.all().find("replayed"), std::string::npos) << verify.all();
  GoliveRun shown = s.golive({"show", id, "--json"}, env());
  json detail = parse(shown.out);
  ASSERT_TRUE(detail.is_object()) << shown.all();
  EXPECT_EQ(detail["release"].value("status", ""), "succeeded") << detail.dump(1);
  std::set<std::string> steps;
  for (const auto& st : detail["steps"]) {
    steps.insert(st.value("host", "") + ":" + st.value("step", ""));
  }
  for (const char* want : {"web1:upload", "web2:upload", "web1:switch", "web2:switch",
                           "web1:restart", "web2:restart"}) {
    EXPECT_TRUE(steps.count(want)) << want << " missing: " << detail["steps"].dump(1);
  }
  EXPECT_FALSE(detail["checks"].empty()) << detail.dump(1);
  for (const auto& f : fs::directory_iterator(s.repo() + "/.golive")) {
    EXPECT_FALSE(f.path().filename().string().starts_with("ledger-spool-") &&
                 f.path().extension() == ".jsonl")
        << "spool left behind: " << f.path();
  }
  // A second command replays nothing more and the chain stays clean.
  GoliveRun again = s.golive({"ledger", "verify"}, env());
  EXPECT_EQ(again.exit_code, 0) << again.all();
  EXPECT_EQ(again.all().find("replayed"), std::string::npos) << again.all();
}

TEST_F(PostgresScenario, LedgerPushFromSqliteTwiceDuplicatesNothing) {
  Scenario s(1);
  std::string v1 = deploy_ok(s);  // into the scenario's SQLite ledger
  s.write("app/static/v2.txt", "v2\n");
  s.commit("v2");
  std::string v2 = deploy_ok(s);
  // history --json fills previous_release for deploys (from what the hosts served).
  auto previous_of = [](const json& rows, const std::string& id) {
    for (const auto& r : rows) {
      if (r.value("id", "") == id) return r.value("previous_release", "");
    }
    return std::string("(missing)");
  };
  json local = parse(s.golive({"history", "--json"}).out);
  EXPECT_EQ(previous_of(local, v2), v1) << local.dump(1);
  EXPECT_EQ(previous_of(local, v1), "") << local.dump(1);
  GoliveRun first = s.golive({"ledger", "push", "--to", server_->url_with_password("ledger")});
  EXPECT_EQ(first.exit_code, 0) << first.all();
  EXPECT_NE(first.all().find("2 release(s) pushed, 0 already"), std::string::npos) << first.all();
  expect_no_password(first, "push");
  GoliveRun second = s.golive({"ledger", "push", "--to", server_->url_with_password("ledger")});
  EXPECT_EQ(second.exit_code, 0) << second.all();
  EXPECT_NE(second.all().find("0 release(s) pushed, 2 already"), std::string::npos) << second.all();
  EXPECT_EQ(server_->psql("ledger", "SELECT count(*) FROM releases"), "2");
  std::string sqlite_steps =
      Scenario::sh("sqlite3 " + s.ledger() + " 'SELECT count(*) FROM step_runs'");
  EXPECT_EQ(server_->psql("ledger", "SELECT count(*) FROM step_runs"), sqlite_steps);
  GoliveRun verify = s.golive({"ledger", "verify"}, env());
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
  json rows = history(s);
  ASSERT_TRUE(rows.is_array());
  EXPECT_EQ(rows.size(), 2u) << rows.dump(1);
  EXPECT_EQ(previous_of(rows, v2), v1) << rows.dump(1);
}

}  // namespace
}  // namespace golive::testing
