// Deploys through the real binary onto the sandbox fleet (real sshd, real app): issue 3.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "golive/shell_quote.h"
#include "tests/harness/scenario.h"
#include "tests/scenarios/scenario_helpers.h"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

const std::string kSwitch = "  - { name: switch, switch: current }\n";

std::string healthz(Scenario& s, int k) {
  return s.http_get("http://" + s.address(k) + ":" + std::to_string(s.app_port()) + "/healthz");
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(DeployScenario, ShipsToThreeHostsAndSwitchesCurrentEverywhere) {
  Scenario s(3);
  GoliveRun run = s.golive({"deploy", "staging", "--reason", "first"});
  ASSERT_EQ(run.exit_code, 0) << run.all();
  std::string id = s.current(1);
  ASSERT_FALSE(id.empty());
  for (int k = 1; k <= 3; ++k) {
    EXPECT_EQ(s.current(k), id) << "web" << k;
    EXPECT_NE(healthz(s, k).find("ok " + id), std::string::npos);
  }
  GoliveRun releases = s.golive({"releases", "staging"});
  EXPECT_EQ(releases.exit_code, 0) << releases.all();
  EXPECT_NE(releases.out.find("current " + id), std::string::npos) << releases.out;
}

TEST(DeployScenario, OneHostPerBatchFinishesEachHostBeforeTheNextStarts) {
  Scenario s(3);
  s.edit_runbook({{"    env_file: .env.staging\n",
                   "    env_file: .env.staging\n    strategy: { parallel: 1, batch: 1 }\n"}});
  s.commit("one host per batch");
  GoliveRun run = s.golive({"deploy", "staging"});
  ASSERT_EQ(run.exit_code, 0) << run.all();
  const std::string out = run.all();
  // Output: web1's last step before web2's first, web2's last before web3's first.
  for (int k = 1; k < 3; ++k) {
    std::string last = "web" + std::to_string(k) + ": restart ok";
    std::string next = "web" + std::to_string(k + 1) + ": upload ok";
    ASSERT_NE(out.find(last), std::string::npos) << out;
    ASSERT_NE(out.find(next), std::string::npos) << out;
    EXPECT_LT(out.find(last), out.find(next)) << out;
  }
  // Ledger: webK+1's first deploy step starts after webK's last one finished.
  GoliveRun show = s.golive({"show", s.current(1), "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.all();
  auto j = nlohmann::json::parse(show.out);
  std::map<std::string, std::pair<std::string, std::string>> span;  // host -> first start, last end
  for (const auto& step : j.at("steps")) {
    if (step.value("phase", "") != "deploy") continue;
    const std::string host = step.value("host", ""), at = step.value("started_at", ""),
                      end = step.value("finished_at", "");
    ASSERT_FALSE(at.empty()) << step.dump();
    auto& [first, last] = span[host];
    if (first.empty() || at < first) first = at;
    if (last.empty() || end > last) last = end;
  }
  ASSERT_EQ(span.size(), 3u) << show.out;
  EXPECT_LE(span["web1"].second, span["web2"].first) << show.out;
  EXPECT_LE(span["web2"].second, span["web3"].first) << show.out;
}

TEST(DeployScenario, OnceStepRunsOnTheFirstHostOnly) {
  Scenario s(3);
  GoliveRun run = s.golive({"deploy", "staging"});
  ASSERT_EQ(run.exit_code, 0) << run.all();
  const std::string id = s.current(1);
  EXPECT_EQ(Scenario::read_file(s.root(1) + "/shared/migrations.log"), "up " + id + "\n");
  EXPECT_FALSE(fs::exists(s.root(2) + "/shared/migrations.log"));
  EXPECT_FALSE(fs::exists(s.root(3) + "/shared/migrations.log"));
}

TEST(DeployScenario, FailingStepOnOneHostStopsTheRolloutAndNoHostKeepsTheNewRelease) {
  Scenario s(3);
  GoliveRun first = s.golive({"deploy", "staging"});
  ASSERT_EQ(first.exit_code, 0) << first.all();
  const std::string good = s.current(1);
  // After the switch, so hosts that switched must be switched back.
  s.edit_runbook(
      {{"  - { name: restart, run: \"./bin/restart {{ host.address }}\", timeout: 30s }\n"
        "rollback:",
        "  - { name: restart, run: \"./bin/restart {{ host.address }}\", timeout: 30s }\n"
        "  - { name: not on web2, run: \"[ {{ host.name }} != web2 ]\" }\n"
        "rollback:"}});
  // One host at a time: web1 switches and passes, web2 fails, web3 must never start.
  s.edit_runbook({{"    env_file: .env.staging\n",
                   "    env_file: .env.staging\n    strategy: { parallel: 1, batch: 1 }\n"}});
  s.commit("fails on web2");
  GoliveRun run = s.golive({"deploy", "staging"});
  EXPECT_EQ(run.exit_code, 1) << run.all();
  EXPECT_TRUE(contains(run.all(), "web2: step 'not on web2'")) << run.all();
  EXPECT_FALSE(contains(run.all(), "web3: upload")) << run.all();
  const std::string bad = Scenario::release_id_of(run);
  ASSERT_FALSE(bad.empty()) << run.all();
  ASSERT_NE(bad, good);
  for (int k = 1; k <= 3; ++k) {
    EXPECT_EQ(s.current(k), good) << "web" << k;
    EXPECT_TRUE(contains(healthz(s, k), "ok " + good)) << "web" << k;
  }
  GoliveRun show = s.golive({"show", bad, "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.all();
  // Parsed once and kept: a range-for over `parse(...).at(...)` would iterate a destroyed
  // temporary (GCC 12 does not extend its lifetime; AddressSanitizer caught it).
  const nlohmann::json detail = nlohmann::json::parse(show.out);
  EXPECT_EQ(detail.at("release").at("status"), "rolled_back") << show.out;
  for (const auto& step : detail.at("steps")) {
    EXPECT_NE(step.value("host", ""), "web3") << "web3 ran a step: " << step.dump();
  }
}

TEST(DeployScenario, StepTimeoutKillsTheRemoteProcessGroup) {
  Scenario s(3);
  const std::string marker = unique_sleep(s);
  s.edit_runbook({{kSwitch, "  - { name: hang, run: \"" + marker + " & " + marker +
                                "\", timeout: 1s }\n" + kSwitch}});
  s.commit("hangs");
  auto started = std::chrono::steady_clock::now();
  GoliveRun run = s.golive({"deploy", "staging"});
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(run.exit_code, 1) << run.all();
  EXPECT_TRUE(contains(run.all(), "hang")) << run.all();
  EXPECT_TRUE(contains(run.all(), "timed out")) << run.all();
  EXPECT_LT(took, std::chrono::seconds(25));
  // "slee[p]": the pattern must not match the shell running pgrep itself.
  EXPECT_EQ(Scenario::sh("pgrep -f " + shell_quote("slee[p] " + marker.substr(6)) + " || true"), "")
      << "the step's processes outlived its timeout";
  for (int k = 1; k <= 3; ++k) EXPECT_EQ(s.current(k), "") << "web" << k;
}

TEST(DeployScenario, UnknownHostKeyIsRefusedWithItsFingerprint) {
  Scenario s(3);
  std::string config = s.ssh_config_with_known_hosts("");
  GoliveRun run = s.golive({"deploy", "staging"}, {{"GOLIVE_SSH_CONFIG", config}});
  EXPECT_EQ(run.exit_code, 3) << run.all();
  EXPECT_TRUE(contains(run.all(), "unknown host key for web1")) << run.all();
  EXPECT_TRUE(contains(run.all(), "SHA256:")) << run.all();
  EXPECT_TRUE(contains(run.all(), "golive hosts trust")) << run.all();
  for (int k = 1; k <= 3; ++k) EXPECT_FALSE(s.touched(k)) << "web" << k;
}

TEST(DeployScenario, HostsTrustRecordsKeysAfterShowingThemThenDeploysWork) {
  Scenario s(2);
  std::string config = s.ssh_config_with_known_hosts("");
  // Without a person to confirm (CI, --yes), an unknown key needs its fingerprint.
  GoliveRun blind =
      s.golive({"hosts", "trust", "staging", "--yes"}, {{"GOLIVE_SSH_CONFIG", config}});
  EXPECT_EQ(blind.exit_code, 3) << blind.all();
  EXPECT_TRUE(contains(blind.all(), "--fingerprint SHA256:")) << blind.all();
  GoliveRun wrong = s.golive({"hosts", "trust", "staging", "--yes", "--fingerprint",
                              "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
                             {{"GOLIVE_SSH_CONFIG", config}});
  EXPECT_EQ(wrong.exit_code, 3) << wrong.all();
  EXPECT_TRUE(contains(wrong.all(), "matches no --fingerprint")) << wrong.all();
  const std::string listed =
      Scenario::sh("ssh-keygen -lf " + shell_quote(s.fleet().dir()) + "/host_ed25519_key.pub");
  const std::string fp = listed.substr(
      listed.find("SHA256:"), listed.find(' ', listed.find("SHA256:")) - listed.find("SHA256:"));
  GoliveRun trust = s.golive({"hosts", "trust", "staging", "--yes", "--fingerprint", fp},
                             {{"GOLIVE_SSH_CONFIG", config}});
  ASSERT_EQ(trust.exit_code, 0) << trust.all();
  EXPECT_TRUE(contains(trust.all(), "web1 (127.0.0.11")) << trust.all();
  EXPECT_TRUE(contains(trust.all(), "SHA256:")) << trust.all();
  // Trusting again is a no-op that says so.
  GoliveRun again =
      s.golive({"hosts", "trust", "staging", "--yes"}, {{"GOLIVE_SSH_CONFIG", config}});
  EXPECT_EQ(again.exit_code, 0) << again.all();
  EXPECT_TRUE(contains(again.all(), "already trusted")) << again.all();
  GoliveRun deploy = s.golive({"deploy", "staging"}, {{"GOLIVE_SSH_CONFIG", config}});
  EXPECT_EQ(deploy.exit_code, 0) << deploy.all();
  // Recorded in the ledger, with how it was confirmed.
  std::string events = Scenario::sh("sqlite3 " + shell_quote(s.ledger()) +
                                    " \"SELECT detail FROM events WHERE kind='host_key_trusted'\"");
  EXPECT_TRUE(contains(events, "matched --fingerprint")) << events;
}

TEST(DeployScenario, ChangedHostKeyIsRefusedLoudly) {
  Scenario s(3);
  Scenario::sh("ssh-keygen -q -t ed25519 -N '' -f " + shell_quote(s.dir() + "/impostor"));
  const std::string impostor =
      Scenario::sh("cut -d' ' -f1,2 " + shell_quote(s.dir() + "/impostor.pub"));
  std::string known;
  for (int k = 1; k <= 3; ++k) {
    known += "[" + s.address(k) + "]:" + std::to_string(s.fleet().port()) + " " + impostor + "\n";
  }
  std::string config = s.ssh_config_with_known_hosts(known);
  GoliveRun run = s.golive({"deploy", "staging"}, {{"GOLIVE_SSH_CONFIG", config}});
  EXPECT_EQ(run.exit_code, 3) << run.all();
  EXPECT_TRUE(contains(run.all(), "HOST KEY CHANGED for web1")) << run.all();
  EXPECT_TRUE(contains(run.all(), "man-in-the-middle")) << run.all();
  EXPECT_TRUE(contains(run.all(), "SHA256:")) << run.all();
  for (int k = 1; k <= 3; ++k) EXPECT_FALSE(s.touched(k)) << "web" << k;
}

TEST(DeployScenario, UnreachableHostStopsTheDeployBeforeAnyChange) {
  Scenario s(3);
  s.edit_runbook({{"    hosts:\n", "    hosts:\n      - { name: web9, address: 127.0.0.99 }\n"}});
  s.commit("a host that is down");
  GoliveRun run = s.golive({"deploy", "staging"});
  EXPECT_EQ(run.exit_code, 5) << run.all();
  EXPECT_TRUE(contains(run.all(), "could not connect to web9")) << run.all();
  EXPECT_TRUE(contains(run.all(), "127.0.0.99")) << run.all();
  for (int k = 1; k <= 3; ++k) EXPECT_FALSE(s.touched(k)) << "web" << k;
}

// Creates <root of web1>/.golive/lock as another deployer would (owned by deploy).
void plant_lock(Scenario& s, const std::string& heartbeat_age) {
  const std::string lock = s.root(1) + "/.golive/lock";
  Scenario::sh("mkdir -p " + shell_quote(lock) +
               " && printf '%s\\n' who=alice where=laptop pid=4242 "
               "release=20260101T000000Z-abcdef1 started=2026-01-01T00:00:00Z message=hotfix > " +
               shell_quote(lock + "/owner") + " && touch -d " + shell_quote(heartbeat_age) + " " +
               shell_quote(lock + "/heartbeat") + " && chown -R deploy: " + shell_quote(s.root(1)));
}

TEST(DeployScenario, HeldLockBlocksTheDeploy) {
  Scenario s(3);
  plant_lock(s, "now");
  GoliveRun run = s.golive({"deploy", "staging"});
  EXPECT_EQ(run.exit_code, 3) << run.all();
  EXPECT_TRUE(contains(run.all(), "locked by alice@laptop")) << run.all();
  EXPECT_FALSE(contains(run.all(), "STALE")) << run.all();
  for (int k = 1; k <= 3; ++k) EXPECT_FALSE(s.touched(k)) << "web" << k;
  // The other deployer's lock is still there.
  EXPECT_TRUE(fs::exists(s.root(1) + "/.golive/lock/owner"));
}

TEST(DeployScenario, StaleLockOfACrashedDeployIsReportedAndCanBeBrokenOnRecord) {
  Scenario s(2);
  s.edit_runbook({{"  - { name: switch, switch: current }\n",
                   "  - { name: slow, run: \"touch ../../shared/slow-started; sleep 5\" }\n"
                   "  - { name: switch, switch: current }\n"}});
  s.commit("slow step");
  // The deployer's machine dies mid-deploy: the lock stays behind, its heartbeat stops.
  pid_t pid = s.start_golive({"deploy", "staging", "--reason", "crash me"});
  for (int i = 0; i < 300 && !fs::exists(s.root(1) + "/shared/slow-started"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const bool slow_started = fs::exists(s.root(1) + "/shared/slow-started");
  ::kill(pid, SIGKILL);
  GoliveRun killed = s.wait_golive(pid);
  ASSERT_TRUE(slow_started) << killed.all();
  const std::string crashed = Scenario::release_id_of(killed);
  ASSERT_FALSE(crashed.empty());
  const std::string lock = s.root(1) + "/.golive/lock";
  ASSERT_TRUE(fs::exists(lock + "/owner"));

  GoliveRun fresh = s.golive({"lock", "status", "staging"});
  EXPECT_EQ(fresh.exit_code, 0) << fresh.all();
  EXPECT_TRUE(contains(fresh.out, "for release " + crashed)) << fresh.all();
  EXPECT_FALSE(contains(fresh.out, "STALE")) << fresh.all();

  Scenario::sh("touch -d '10 minutes ago' " + shell_quote(lock + "/heartbeat"));
  GoliveRun status = s.golive({"lock", "status", "staging"});
  EXPECT_EQ(status.exit_code, 0) << status.all();
  EXPECT_TRUE(contains(status.out, "for release " + crashed)) << status.all();
  EXPECT_TRUE(contains(status.out, "STALE")) << status.all();
  EXPECT_TRUE(contains(status.out, "golive lock release")) << status.all();

  GoliveRun release = s.golive({"lock", "release", "staging", "--reason", "x"});
  EXPECT_EQ(release.exit_code, 0) << release.all();
  EXPECT_FALSE(fs::exists(lock));
  GoliveRun show = s.golive({"show", crashed, "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.all();
  auto j = nlohmann::json::parse(show.out);
  bool broken = false;
  for (const auto& e : j.at("events")) {
    if (e.dump().find("lock_broken") != std::string::npos &&
        e.dump().find("reason: x") != std::string::npos) {
      broken = true;
    }
  }
  EXPECT_TRUE(broken) << show.out;
  GoliveRun after = s.golive({"lock", "status", "staging"});
  EXPECT_TRUE(contains(after.out, "not locked")) << after.all();
}

TEST(DeployScenario, FiveThousandFilesArriveIntactOnEveryHost) {
  Scenario s(3);
  const std::string gen =
      "mkdir -p dist/many/sub && i=0; while [ $i -lt 5000 ]; do echo \"file $i $(( i * 7919 ))\" "
      "> dist/many/sub/f$i.txt; i=$((i+1)); done";
  s.write("bin/many", "#!/bin/sh\nset -e\n" + gen + "\n");
  Scenario::sh("chmod +x " + shell_quote(s.repo() + "/bin/many"));
  s.edit_runbook(
      {{"  - { name: build, local: bin/build }\n",
        "  - { name: build, local: bin/build }\n  - { name: many, local: bin/many }\n"}});
  s.commit("5000 files");
  GoliveRun run = s.golive({"deploy", "staging"});
  ASSERT_EQ(run.exit_code, 0) << run.all();
  const std::string digest = "find . -type f | sort | xargs cat | md5sum";
  const std::string expected =
      Scenario::sh("cd " + shell_quote(s.dir()) + " && " + gen + " && cd dist/many && " + digest);
  for (int k = 1; k <= 3; ++k) {
    const std::string here = shell_quote(s.root(k) + "/current/many");
    EXPECT_EQ(Scenario::sh("find " + here + " -type f | wc -l"), "5000") << "web" << k;
    EXPECT_EQ(Scenario::sh("cd " + here + " && " + digest), expected) << "web" << k;
  }
}

TEST(DeployScenario, DirtyTreeIsRefusedUnlessAllowedAndThenRecorded) {
  Scenario s(3);
  s.write("app/static/style.css", "body { color: red }\n");
  GoliveRun refused = s.golive({"deploy", "staging"});
  EXPECT_EQ(refused.exit_code, 3) << refused.all();
  EXPECT_TRUE(contains(refused.all(), "uncommitted changes")) << refused.all();
  EXPECT_TRUE(contains(refused.all(), "--allow-dirty")) << refused.all();
  for (int k = 1; k <= 3; ++k) EXPECT_FALSE(s.touched(k)) << "web" << k;

  GoliveRun allowed = s.golive({"deploy", "staging", "--allow-dirty"});
  ASSERT_EQ(allowed.exit_code, 0) << allowed.all();
  GoliveRun show = s.golive({"show", s.current(1), "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.all();
  auto j = nlohmann::json::parse(show.out);
  EXPECT_EQ(j.at("release").at("allow_dirty"), true) << show.out;
}

TEST(DeployScenario, ReleasesListsWhatEachHostHas) {
  Scenario s(2);
  ASSERT_EQ(s.golive({"deploy", "staging"}).exit_code, 0);
  const std::string first = s.current(1);
  s.write("app/static/extra.txt", "v2\n");
  s.commit("v2");
  ASSERT_EQ(s.golive({"deploy", "staging"}).exit_code, 0);
  const std::string second = s.current(1);
  ASSERT_NE(first, second);
  GoliveRun run = s.golive({"releases", "staging"});
  ASSERT_EQ(run.exit_code, 0) << run.all();
  for (int k = 1; k <= 2; ++k) {
    const std::string head = "web" + std::to_string(k) + " (" + s.root(k) + "): current " + second;
    EXPECT_TRUE(contains(run.out, head + "\n  * " + second + "\n    " + first + "\n")) << run.out;
  }
  GoliveRun json = s.golive({"releases", "staging", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.all();
  auto j = nlohmann::json::parse(json.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[1].at("current"), second);
  EXPECT_EQ(j[1].at("releases").size(), 2u);
}

TEST(DeployScenario, KeepPrunesOldReleasesButNeverCurrent) {
  Scenario s(2);
  s.edit_runbook({{"  keep: 3\n", "  keep: 2\n"}});
  s.commit("keep 2");
  std::vector<std::string> ids;
  for (int n = 0; n < 3; ++n) {
    if (n > 0) {
      s.write("app/static/extra.txt", std::to_string(n));
      s.commit("v" + std::to_string(n));
    }
    GoliveRun run = s.golive({"deploy", "staging"});
    ASSERT_EQ(run.exit_code, 0) << run.all();
    ids.push_back(s.current(1));
  }
  for (int k = 1; k <= 2; ++k) {
    EXPECT_EQ(s.releases(k), (std::vector<std::string>{ids[1], ids[2]})) << "web" << k;
    EXPECT_EQ(s.current(k), ids[2]);
  }
  // keep: 1 still keeps the release that is live, and the one a rollback would restore:
  // pruning must never leave on-call with nothing to roll back to.
  s.edit_runbook({{"  keep: 2\n", "  keep: 1\n"}});
  s.write("app/static/extra.txt", "last");
  s.commit("keep 1");
  ASSERT_EQ(s.golive({"deploy", "staging"}).exit_code, 0);
  for (int k = 1; k <= 2; ++k) {
    EXPECT_EQ(s.releases(k), (std::vector<std::string>{ids[2], s.current(k)})) << "web" << k;
  }
}

TEST(DeployScenario, PlanJsonParsesAndRedactsSecrets) {
  Scenario s(2);
  const std::string env = Scenario::read_file(s.repo() + "/.env.staging");
  auto value_of = [&](const std::string& key) {
    auto at = env.find(key + "=") + key.size() + 1;
    return env.substr(at, env.find('\n', at) - at);
  };
  const std::string password = value_of("SMOKE_PASSWORD"), secret_key = value_of("SECRET_KEY");
  // A secret templated from env stays an env reference; one pasted into vars is redacted.
  s.edit_runbook({{"vars: { port:", "vars: { token: \"" + password + "\", port:"},
                  {kSwitch,
                   "  - { name: notify, run: \"./bin/notify {{ env.SECRET_KEY }} "
                   "--token {{ token }}\" }\n" +
                       kSwitch}});
  GoliveRun run = s.golive({"plan", "staging", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.all();
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(run.out)) << run.out;
  EXPECT_EQ(j.at("environment"), "staging");
  const auto& notify = j.at("batches").at(0).at(0).at("steps").at(2);
  EXPECT_EQ(notify.at("name"), "notify");
  EXPECT_EQ(notify.at("command"),
            "./bin/notify \"${SECRET_KEY}\" --token '[REDACTED:SMOKE_PASSWORD]'");
  EXPECT_FALSE(contains(run.all(), password));
  EXPECT_FALSE(contains(run.all(), secret_key));
}

TEST(DeployScenario, ValidateNamesFileLineAndColumnOfEachError) {
  Scenario s(1);
  s.edit_runbook({{"  keep: 3\n", "  keep: three\n"}, {"timeout: 2s }", "timeout: 2 parsecs }"}});
  GoliveRun run = s.golive({"validate"});
  EXPECT_EQ(run.exit_code, 2) << run.all();
  EXPECT_TRUE(contains(run.all(), "golive.yml:")) << run.all();
  std::string text = s.runbook();
  auto line_of = [&](const std::string& needle) {
    auto at = text.find(needle);
    return 1 + std::count(text.begin(), text.begin() + static_cast<long>(at), '\n');
  };
  EXPECT_TRUE(contains(run.all(), "golive.yml:" + std::to_string(line_of("keep: three")) + ":"))
      << run.all();
  EXPECT_TRUE(contains(run.all(), "golive.yml:" + std::to_string(line_of("2 parsecs")) + ":"))
      << run.all();
}

}  // namespace
}  // namespace golive::testing
