// ReleaseEnding through fakes (scripted hosts, fake clock, captured webhooks) and a real SQLite
// ledger: what every deploy and rollback leaves behind when it ends, in the order it leaves it.
#include "orchestrator/release/release_ending.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "golive/vocabulary.h"
#include "orchestrator/context/app_context.h"
#include "tests/harness/check_fakes.h"
#include "tests/harness/scoped_temp_dir.h"
#include "tests/orchestrator/release/fakes.h"

namespace golive {
namespace {

using testing::FakeConnector;
using testing::FleetScript;

constexpr const char* kId = "20261201T100000Z-abc1234";

class ReleaseEndingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ReporterOptions quiet;
    quiet.quiet = true;
    app_.reporter = std::make_unique<Reporter>(app_.redactor, quiet);
    app_.clock = std::make_unique<testing::FakeClock>();
    app_.open_ledger = [](const std::string& path) { return open_sqlite_ledger(path); };
    app_.send_webhook = [this](const std::string& url, const std::string& json) -> Status {
      webhooks_.push_back(url + " " + json);
      return {};
    };
    app_.redactor.add("API token", "s3cr3t-t0ken");
    ReleaseRecord r;
    r.id = kId;
    r.app = "portal";
    r.environment = "production";
    r.commit = "abc1234def";
    r.deployer = "alice";
    r.started_at = iso8601(app_.clock->wall());
    ASSERT_TRUE(record_.open(app_, dir_.file("ledger.db"), r));
    FakeConnector connector(script_);
    for (const std::string name : {"web1", "web2"}) {
      Host h;
      h.name = name;
      hosts_.push_back(std::move(*connector.connect(h)));
    }
    Notify hook;
    hook.webhook = "https://hooks.example/golive";
    hook.on = {"rolled_back", "rollback_failed"};
    notify_.push_back(hook);
  }

  // The ending of a release that reached both hosts and holds the lock on web1.
  void ReachedHosts() {
    lock_.held(*hosts_[0], "/srv/portal");
    EndingScope scope{{}, {"/srv/portal", "/srv/portal"}, &notify_, &vars_, &values_};
    for (auto& h : hosts_) scope.hosts.push_back(h.get());
    ending_.set_scope(scope);
  }

  ReleaseDetail Detail() {
    auto d = record_.ledger()->show(kId);
    EXPECT_TRUE(d) << (d ? "" : d.error().message);
    return d ? *d : ReleaseDetail{};
  }

  int At(const std::string& host, const std::string& text) const {
    auto events = script_.timeline.events();
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (events[i].starts_with(host + " start ") && events[i].find(text) != std::string::npos) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  testing::ScopedTempDir dir_;
  FleetScript script_;
  AppContext app_;
  std::vector<std::unique_ptr<RemoteHost>> hosts_;
  std::vector<Notify> notify_;
  std::map<std::string, std::string> vars_, values_;
  std::vector<std::string> webhooks_;
  ReleaseRecorder record_;
  HeldLock lock_;
  ReleaseEnding ending_{app_, record_, lock_};
};

TEST_F(ReleaseEndingTest, RecordsLogsOnEveryHostReleasesTheLockThenTellsEveryone) {
  ReachedHosts();
  ReleaseOutcome o;
  o.status = ReleaseStatus::kRolledBack;
  o.code = ExitCode::kRolledBack;
  o.time_to_restore_ms = 1234;
  o.closing_event = {EventKind::kRollbackFinished, "restored with s3cr3t-t0ken"};
  o.host_log = {{"event", "deploy"}, {"id", kId}, {"outcome", str(o.status)}};
  o.notifications.push_back({str(o.status), "portal", "production", kId, "abc1234def", "alice",
                             "gate", "gate failed", 1234});
  o.summary = "deploy " + std::string(kId) + " rolled_back (exit 1)";
  o.result = {{"release", kId}, {"status", str(o.status)}, {"reason", "s3cr3t-t0ken"}};
  app_.options.json = true;
  ::testing::internal::CaptureStdout();
  const int code = ending_.end(o);
  const std::string out = ::testing::internal::GetCapturedStdout();

  EXPECT_EQ(code, 1);
  // 1. The ledger: the closing event (redacted), then the status and the time to restore.
  ReleaseDetail d = Detail();
  EXPECT_EQ(d.release.status, "rolled_back");
  EXPECT_EQ(d.release.time_to_restore_ms, 1234);
  ASSERT_FALSE(d.events.empty());
  EXPECT_EQ(d.events.front().kind, "rollback_finished");
  EXPECT_EQ(d.events.front().detail.find("s3cr3t"), std::string::npos);
  // 2. Every host's releases.log, chained to the ledger's head, before 3. the lock goes.
  for (const std::string host : {"web1", "web2"}) {
    const int logged = At(host, ".golive/releases.log");
    ASSERT_GE(logged, 0) << host;
    const std::string line = script_.timeline.events()[logged];
    const auto at = line.find("\"ledger_head\":\"");
    ASSERT_NE(at, std::string::npos) << line;
    const std::string head = line.substr(at + 15, 64);
    EXPECT_TRUE(record_.ledger()->contains_hash(head).value_or(false)) << head;
  }
  const int unlocked = At("web1", ".golive/lock");
  ASSERT_GE(unlocked, 0);
  EXPECT_GT(unlocked, At("web1", ".golive/releases.log"));
  EXPECT_GT(unlocked, At("web2", ".golive/releases.log"));
  EXPECT_EQ(At("web2", ".golive/lock"), -1);
  // 4. The subscribed webhook, and the attempt recorded in the ledger.
  ASSERT_EQ(webhooks_.size(), 1u);
  EXPECT_NE(webhooks_[0].find("\"event\":\"rolled_back\""), std::string::npos) << webhooks_[0];
  EXPECT_TRUE(is(Detail().events.back().kind, EventKind::kNotification));
  // 5. The --json result, redacted.
  EXPECT_NE(out.find("\"status\":\"rolled_back\""), std::string::npos) << out;
  EXPECT_EQ(out.find("s3cr3t"), std::string::npos) << out;
}

TEST_F(ReleaseEndingTest, AReleaseBlockedBeforeTheHostsTouchesNoHostAndTellsNoOne) {
  ReleaseOutcome o;
  o.status = ReleaseStatus::kBlocked;
  o.code = ExitCode::kPreflight;
  o.closing_event = {EventKind::kBlocked, "2 environment problem(s)"};
  o.notifications.push_back({str(o.status), "portal", "production", kId, "", "alice", "", "", -1});
  o.summary = "deploy blocked (exit 3)";
  EXPECT_EQ(ending_.end(o), 3);
  ReleaseDetail d = Detail();
  EXPECT_EQ(d.release.status, "blocked");
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].kind, "blocked");
  EXPECT_TRUE(script_.timeline.events().empty());
  EXPECT_TRUE(webhooks_.empty());
}

TEST_F(ReleaseEndingTest, TheLockIsReleasedOnceEvenWhenTheEndingRunsAgain) {
  ReachedHosts();
  ReleaseOutcome o;
  o.status = ReleaseStatus::kSucceeded;
  o.summary = "deploy succeeded";
  EXPECT_EQ(ending_.end(o), 0);
  EXPECT_TRUE(lock_.release());  // nothing held any more: no second `rm` on the host
  int unlocks = 0;
  for (const auto& e : script_.timeline.events()) {
    if (e.starts_with("web1 start ") && e.find(".golive/lock") != std::string::npos) ++unlocks;
  }
  EXPECT_EQ(unlocks, 1);
  EXPECT_TRUE(webhooks_.empty());  // nobody subscribed to `succeeded`
}

}  // namespace
}  // namespace golive
