// Issue 6 end to end: the ledger through the real binary — complete records, tamper evidence,
// crash recovery, a corrupt file, sync from the hosts, cross-checks, concurrent writers.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "tests/harness/scenario.h"
#include "tests/scenarios/scenario_helpers.h"
#include "tests/scenarios/small_disk.h"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

bool host_touched(Scenario& s, int k) {
  return fs::exists(s.root(k) + "/releases");
}

TEST(LedgerScenario, SucceededDeployLeavesACompleteVerifiableRecord) {
  Scenario s(2);
  std::string id = deploy_ok(s);
  json detail = show(s, id);
  ASSERT_TRUE(detail.is_object());
  const json& rec = detail["release"];
  EXPECT_EQ(rec.value("status", ""), "succeeded");
  EXPECT_EQ(rec.value("environment", ""), "staging");
  EXPECT_FALSE(rec.value("deployer", "").empty());
  EXPECT_FALSE(rec.value("finished_at", "").empty());
  std::set<std::string> hosts;
  for (const auto& st : detail["steps"]) {
    if (st.value("phase", "") != "deploy") continue;
    hosts.insert(st.value("host", ""));
    EXPECT_TRUE(st.contains("duration_ms")) << st.dump();
    EXPECT_EQ(st.value("outcome", ""), "ok") << st.dump();
  }
  EXPECT_EQ(hosts, (std::set<std::string>{"web1", "web2"})) << detail["steps"].dump(1);
  EXPECT_FALSE(detail["checks"].empty());
  for (const auto& c : detail["checks"]) EXPECT_TRUE(c.value("passed", false)) << c.dump();
  expect_no_secret(detail.dump(), "show --json");
  GoliveRun verify = s.golive({"ledger", "verify", "--hosts", "staging"});
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
}

TEST(LedgerScenario, HandEditedRecordFailsVerifyNamingTheRelease) {
  Scenario s(1);
  std::string id = deploy_ok(s);
  GoliveRun ok = s.golive({"ledger", "verify"});
  ASSERT_EQ(ok.exit_code, 0) << ok.all();
  int rc = 0;
  std::string out = Scenario::sh(
      "sqlite3 " + s.ledger() + " \"UPDATE releases SET deployer='mallory'\" 2>&1", &rc);
  ASSERT_EQ(rc, 0) << out;
  GoliveRun bad = s.golive({"ledger", "verify"});
  EXPECT_NE(bad.exit_code, 0) << bad.all();
  EXPECT_NE(bad.all().find(id), std::string::npos) << bad.all();
}

TEST(LedgerScenario, KilledDeployIsMarkedInterruptedByTheNextCommand) {
  Scenario s(2);
  s.write("golive.yml",
          runbook(s, steps_block("  - { name: slow, run: \"sleep 30\" }\n", ""), "", "", ""));
  s.commit("v1 with a slow step");
  pid_t pid = s.start_golive({"deploy", "staging"});
  // Wait until the slow step runs on the hosts (the upload step has finished on both).
  bool started = Scenario::wait_until(
      [&] {
        int rc = 0;
        std::string n =
            Scenario::sh("sqlite3 " + s.ledger() +
                             " \"SELECT count(*) FROM step_runs WHERE step='migrate'\" 2>/dev/null",
                         &rc);
        return rc == 0 && n != "" && n != "0";
      },
      std::chrono::seconds(30));
  ::kill(pid, SIGKILL);
  GoliveRun killed = s.wait_golive(pid);
  ASSERT_TRUE(started) << killed.all();
  GoliveRun history = s.golive({"history"});
  EXPECT_EQ(history.exit_code, 0) << history.all();
  EXPECT_NE(history.all().find("interrupted"), std::string::npos) << history.all();
  GoliveRun json_history = s.golive({"history", "--json"});
  json rows = parse(json_history.out);
  ASSERT_TRUE(rows.is_array() && !rows.empty()) << json_history.all();
  EXPECT_EQ(rows[0].value("status", ""), "interrupted") << rows.dump(1);
  GoliveRun verify = s.golive({"ledger", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
  // The killed process left its remote lock behind; the next deploy from this machine sees that
  // its holder is gone, breaks it (recorded) and ships.
  s.write("golive.yml", runbook(s, steps_block("", ""), "", "", ""));
  s.commit("v2 without the slow step");
  GoliveRun next = s.golive({"deploy", "staging"});
  EXPECT_EQ(next.exit_code, 0) << next.all();
  EXPECT_NE(next.all().find("broke a deploy lock left by a dead process"), std::string::npos)
      << next.all();
}

TEST(LedgerScenario, CorruptLedgerExitsFiveTouchingNoHostUnlessLedgerOptional) {
  Scenario s(2);
  std::ofstream(s.ledger(), std::ios::trunc) << "this is not a SQLite database, just garbage\n"
                                             << std::string(4096, 'x');
  GoliveRun run = s.golive({"deploy", "staging"});
  EXPECT_EQ(run.exit_code, 5) << run.all();
  EXPECT_NE(run.all().find(s.ledger()), std::string::npos) << run.all();
  for (int k = 1; k <= 2; ++k) EXPECT_FALSE(host_touched(s, k)) << "web" << k;

  GoliveRun loud = s.golive({"deploy", "staging", "--ledger-optional"});
  EXPECT_EQ(loud.exit_code, 0) << loud.all();
  EXPECT_NE(loud.all().find("LEDGER"), std::string::npos) << loud.all();
  EXPECT_FALSE(s.current(1).empty());
}

TEST(LedgerScenario, SyncRebuildsHistoryFromTheHostsIntoAnEmptyLedger) {
  Scenario s(2);
  std::string v1 = deploy_ok(s);
  s.write("app/static/v2.txt", "v2\n");
  s.commit("v2");
  std::string v2 = deploy_ok(s);
  GoliveRun rollback = s.golive({"rollback", "staging", "--reason", "v2 is slow", "--json"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.all();
  std::string rollback_id =
      parse(rollback.out.substr(rollback.out.rfind('{'))).value("rollback", "");
  ASSERT_FALSE(rollback_id.empty()) << rollback.out;
  fs::remove(s.ledger());
  GoliveRun sync = s.golive({"ledger", "sync", "staging"});
  ASSERT_EQ(sync.exit_code, 0) << sync.all();
  GoliveRun history = s.golive({"history", "--json"});
  json rows = parse(history.out);
  ASSERT_TRUE(rows.is_array()) << history.all();
  std::set<std::string> ids;
  for (const auto& r : rows) ids.insert(r.value("id", ""));
  EXPECT_TRUE(ids.count(v1)) << rows.dump(1);
  EXPECT_TRUE(ids.count(v2)) << rows.dump(1);
  EXPECT_TRUE(ids.count(rollback_id)) << "the manual rollback is history too: " << rows.dump(1);
  EXPECT_EQ(ids.size(), 3u) << "one record per release, not per host: " << rows.dump(1);
  json detail = show(s, rollback_id);
  EXPECT_EQ(detail["release"].value("previous_release", ""), v2) << detail.dump(1);
  EXPECT_EQ(detail["release"].value("commit", ""), v1) << detail.dump(1);
  EXPECT_NE(detail["release"].value("reason", "").find("v2 is slow"), std::string::npos);
  // Syncing again imports nothing new.
  GoliveRun again = s.golive({"ledger", "sync", "staging"});
  EXPECT_EQ(again.exit_code, 0) << again.all();
  EXPECT_NE(again.all().find(" 0 release"), std::string::npos) << again.all();
  GoliveRun verify = s.golive({"ledger", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
}

TEST(LedgerScenario, VerifyAgainstHostsFailsWhenTheLedgerIsReplaced) {
  Scenario s(2);
  deploy_ok(s);
  GoliveRun ok = s.golive({"ledger", "verify", "--hosts", "staging"});
  ASSERT_EQ(ok.exit_code, 0) << ok.all();
  // Another ledger with other records (a different project's deploy) put in its place.
  Scenario other(1);
  other.write("app/static/other.txt", "other\n");
  other.commit("other project");
  deploy_ok(other);
  fs::copy_file(other.ledger(), s.ledger(), fs::copy_options::overwrite_existing);
  GoliveRun own = s.golive({"ledger", "verify"});
  EXPECT_EQ(own.exit_code, 0) << "the replacement is a valid chain on its own: " << own.all();
  GoliveRun bad = s.golive({"ledger", "verify", "--hosts", "staging"});
  EXPECT_NE(bad.exit_code, 0) << bad.all();
  EXPECT_NE(bad.all().find("web1"), std::string::npos) << bad.all();
}

TEST(LedgerScenario, TwoProcessesWritingOneLedgerBothSucceed) {
  Scenario a(2);
  Scenario b(2);
  b.write("app/static/b.txt", "b\n");
  b.commit("b");
  const std::string shared = a.dir() + "/shared-ledger.db";
  std::map<std::string, std::string> env{{"GOLIVE_LEDGER", shared}};
  pid_t pa = a.start_golive({"deploy", "staging", "--json"}, env);
  pid_t pb = b.start_golive({"deploy", "staging", "--json"}, env);
  GoliveRun ra = a.wait_golive(pa);
  GoliveRun rb = b.wait_golive(pb);
  EXPECT_EQ(ra.exit_code, 0) << ra.all();
  EXPECT_EQ(rb.exit_code, 0) << rb.all();
  EXPECT_EQ(ra.all().find("ledger:"), std::string::npos) << "a ledger write failed: " << ra.all();
  EXPECT_EQ(rb.all().find("ledger:"), std::string::npos) << "a ledger write failed: " << rb.all();
  GoliveRun history = a.golive({"history", "--json"}, env);
  json rows = parse(history.out);
  ASSERT_TRUE(rows.is_array()) << history.all();
  std::set<std::string> ids;
  for (const auto& r : rows) {
    ids.insert(r.value("id", ""));
    EXPECT_EQ(r.value("status", ""), "succeeded") << r.dump();
  }
  EXPECT_TRUE(ids.count(release_of(ra))) << rows.dump(1);
  EXPECT_TRUE(ids.count(release_of(rb))) << rows.dump(1);
  GoliveRun verify = a.golive({"ledger", "verify"}, env);
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
}

// The spool a command left beside the runbook (.golive/ledger-spool-*.jsonl), or "".
std::string spool_file(Scenario& s) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(s.repo() + "/.golive", ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("ledger-spool-", 0) == 0 && e.path().extension() == ".jsonl") {
      return e.path().string();
    }
  }
  return "";
}

// A runbook whose `fill` step (once, before the switch) fills `disk` to the last byte.
std::string filling_runbook(Scenario& s, const SmallDisk& disk) {
  // The step runs as the hosts' user, who must reach the disk inside the scratch dir (0700).
  fs::permissions(s.dir(), fs::perms::others_exec, fs::perm_options::add);
  return runbook(
      s, steps_block("  - { name: fill, run: \"" + disk.fill_command() + "\", once: true }\n", ""),
      "", "");
}

// Issue 20 item 10: the SQLite ledger's disk fills mid-deploy. Records go to the spool beside
// the runbook, the deploy's outcome and exit code stand, and the next command replays the spool:
// the release's steps and checks are all there and the chain verifies.
TEST(LedgerScenario, LedgerDiskFullMidDeployIsSpooledAndReplayedByTheNextCommand) {
  Scenario s(2);
  SmallDisk disk(s.dir() + "/ledgerfs");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  const std::map<std::string, std::string> env{{"GOLIVE_LEDGER", disk.dir() + "/ledger.db"}};
  s.write("golive.yml", filling_runbook(s, disk));
  s.commit("v1 fills the ledger's disk mid-deploy");
  GoliveRun run = s.golive({"deploy", "staging", "--json"}, env);
  EXPECT_EQ(run.exit_code, 0) << run.all();
  std::string id = release_of(run);
  ASSERT_FALSE(id.empty()) << run.all();
  expect_all_serve(s, id);
  EXPECT_NE(run.all().find("LEDGER WRITE FAILED"), std::string::npos) << run.all();
  EXPECT_EQ(run.all().find("RECORD LOST"), std::string::npos) << run.all();
  ASSERT_FALSE(spool_file(s).empty()) << run.all();

  // Still full: the next command keeps the spool and does not call the release interrupted.
  GoliveRun still = s.golive({"history", "--json"}, env);
  EXPECT_EQ(still.exit_code, 0) << still.all();
  EXPECT_EQ(still.all().find("interrupted"), std::string::npos) << still.all();
  EXPECT_FALSE(spool_file(s).empty());

  disk.free_space();
  GoliveRun verify = s.golive({"ledger", "verify"}, env);
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
  EXPECT_NE(verify.all().find("replayed"), std::string::npos) << verify.all();
  EXPECT_TRUE(spool_file(s).empty());
  GoliveRun shown = s.golive({"show", id, "--json"}, env);
  ASSERT_EQ(shown.exit_code, 0) << shown.all();
  json detail = parse(shown.out);
  ASSERT_TRUE(detail.is_object()) << shown.out;
  EXPECT_EQ(detail["release"].value("status", ""), "succeeded") << detail.dump(1);
  std::set<std::string> restarted;
  for (const auto& st : detail["steps"]) {
    if (st.value("step", "") == "restart" && st.value("outcome", "") == "ok")
      restarted.insert(st.value("host", ""));
  }
  EXPECT_EQ(restarted, (std::set<std::string>{"web1", "web2"})) << detail["steps"].dump(1);
  EXPECT_FALSE(detail["checks"].empty()) << detail.dump(1);
  for (const auto& c : detail["checks"]) EXPECT_TRUE(c.value("passed", false)) << c.dump();
}

// Issue 20 item 10, the other half: when even the spool cannot be written (ledger and spool on
// one full disk), the release's story would be lost, so no host switches to it: the rollout
// stops before the switch, the failed deploy is cleaned up and every host keeps the last good
// release.
TEST(LedgerScenario, LedgerAndSpoolDiskFullStopsTheRolloutBeforeTheSwitch) {
  Scenario s(2);
  SmallDisk disk(s.repo() + "/.golive");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  const std::map<std::string, std::string> env{{"GOLIVE_LEDGER", disk.dir() + "/ledger.db"}};
  GoliveRun first = s.golive({"deploy", "staging", "--json"}, env);
  ASSERT_EQ(first.exit_code, 0) << first.all();
  std::string v1 = release_of(first);
  s.write("golive.yml", filling_runbook(s, disk));
  s.commit("v2 fills the ledger's disk mid-deploy");
  GoliveRun run = s.golive({"deploy", "staging", "--json"}, env);
  EXPECT_EQ(run.exit_code, 1) << run.all();
  EXPECT_NE(run.all().find("LEDGER RECORD LOST"), std::string::npos) << run.all();
  EXPECT_NE(run.all().find("stopped before switching"), std::string::npos) << run.all();
  expect_all_serve(s, v1);
  disk.free_space();
  GoliveRun verify = s.golive({"ledger", "verify"}, env);
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
  GoliveRun history = s.golive({"history", "--json"}, env);
  json rows = parse(history.out);
  ASSERT_TRUE(rows.is_array() && rows.size() == 2) << history.all();
  EXPECT_EQ(rows[0].value("status", ""), "interrupted") << rows.dump(1);
  EXPECT_EQ(rows[1].value("id", ""), v1) << rows.dump(1);
}

}  // namespace
}  // namespace golive::testing
