// Issue 19 end to end: golive under GitHub Actions and GitLab CI (summary, annotations, groups,
// outputs, identity), on an operator's terminal (tmux), with a clean working tree; and issue 20
// item 6: step output and commit subjects never reach a terminal or the log file raw.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "golive/interpolate.h"
#include "golive/shell_quote.h"
#include "tests/harness/scenario.h"
#include "tests/scenarios/scenario_helpers.h"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

// The variables GitHub Actions sets, as docs/ci.md's workflow runs golive (a re-run: attempt 2,
// triggered by someone other than the original author).
std::map<std::string, std::string> github_env(Scenario& s) {
  return {{"GITHUB_ACTIONS", "true"},
          {"GITHUB_STEP_SUMMARY", s.dir() + "/step_summary.md"},
          {"GITHUB_OUTPUT", s.dir() + "/github_output"},
          {"GITHUB_ACTOR", "original-author"},
          {"GITHUB_TRIGGERING_ACTOR", "octocat"},
          {"GITHUB_SERVER_URL", "https://github.example.com"},
          {"GITHUB_REPOSITORY", "acme/portal"},
          {"GITHUB_RUN_ID", "4242"},
          {"GITHUB_RUN_ATTEMPT", "2"}};
}

const char* const kRunUrl = "https://github.example.com/acme/portal/actions/runs/4242/attempts/2";

// The flags docs/ci.md's workflow passes.
std::vector<std::string> ci_deploy_args(Scenario& s) {
  return {"deploy", "staging", "--reason", "CI deploy", "--junit", s.dir() + "/golive-junit.xml"};
}

void expect_no_secret_anywhere(Scenario& s, const GoliveRun& run) {
  expect_no_secret(run.all(), "stdout/stderr");
  for (const char* f : {"/step_summary.md", "/github_output", "/golive-junit.xml"}) {
    expect_no_secret(Scenario::read_file(s.dir() + f), f);
  }
  expect_no_secret(Scenario::read_file(s.repo() + "/.golive/golive.log"), "golive.log");
  EXPECT_EQ(run.all().find("add-mask"), std::string::npos) << run.all();
}

std::string output_value(Scenario& s, const std::string& name) {
  std::istringstream in(Scenario::read_file(s.dir() + "/github_output"));
  std::string line, value;
  while (std::getline(in, line)) {
    if (line.starts_with(name + "=")) value = line.substr(name.size() + 1);
  }
  return value;
}

std::string release_id_in(const GoliveRun& run) {
  return Scenario::release_id_of(run);
}

TEST(CiScenario, GithubActionsSuccessfulDeploy) {
  Scenario s(3);
  GoliveRun run = s.golive(ci_deploy_args(s), github_env(s));
  ASSERT_EQ(run.exit_code, 0) << run.all();
  const std::string id = release_id_in(run);
  ASSERT_FALSE(id.empty()) << run.all();
  const std::string md = Scenario::read_file(s.dir() + "/step_summary.md");
  for (const std::string& expected : std::vector<std::string>{
           std::string("### ✅ golive deploy succeeded"), "| Outcome | **succeeded** (exit 0) |",
           "| Release | `" + id + "` |", "| Environment | staging |",
           "| Deployer | github:octocat |", std::string("| Run | ") + kRunUrl + " |", "#### Hosts",
           "| Host | From | To | Status |", "| web1 | - | `" + id + "` | switched |",
           "| web2 | - | `" + id + "` | switched |", "| web3 | - | `" + id + "` | switched |",
           "#### Gate", "| Check | Host | Attempts | p50 | p95 | Verdict | Reason |",
           "| login | web1 |"}) {
    EXPECT_NE(md.find(expected), std::string::npos) << expected << "\n" << md;
  }
  EXPECT_EQ(md.find("#### Rollback"), std::string::npos) << md;
  EXPECT_EQ(output_value(s, "release_id"), id);
  EXPECT_EQ(output_value(s, "outcome"), "succeeded");
  EXPECT_EQ(output_value(s, "exit_code"), "0");
  EXPECT_EQ(output_value(s, "previous_release"), "");
  for (const char* group : {"::group::build\n", "::group::deploy: web1, web2, web3\n",
                            "::group::gate\n", "::endgroup::\n"}) {
    EXPECT_NE(run.out.find(group), std::string::npos) << group << "\n" << run.out;
  }
  EXPECT_EQ(run.out.find("::error"), std::string::npos) << run.out;
  json detail = show(s, id);
  EXPECT_EQ(detail["release"].value("deployer", ""), "github:octocat") << detail.dump(1);
  EXPECT_EQ(detail["release"].value("ci_url", ""), kRunUrl) << detail.dump(1);
  EXPECT_EQ(detail["release"].value("trigger", ""), "ci") << detail.dump(1);
  EXPECT_FALSE(Scenario::read_file(s.dir() + "/golive-junit.xml").empty());
  expect_no_secret_anywhere(s, run);
}

TEST(CiScenario, GithubActionsRolledBackDeploy) {
  Scenario s(3);
  s.write("golive.yml", runbook(s, "", "", ""));
  s.commit("short gate");
  GoliveRun first = s.golive(ci_deploy_args(s), github_env(s));
  ASSERT_EQ(first.exit_code, 0) << first.all();
  const std::string v1 = release_id_in(first);
  fs::remove(s.dir() + "/step_summary.md");
  fs::remove(s.dir() + "/github_output");

  s.set_break({"login"});
  s.commit("v2: login broken");
  GoliveRun run = s.golive(ci_deploy_args(s), github_env(s));
  ASSERT_EQ(run.exit_code, 1) << run.all();
  const std::string v2 = release_id_in(run);
  ASSERT_FALSE(v2.empty()) << run.all();
  const std::string md = Scenario::read_file(s.dir() + "/step_summary.md");
  for (const std::string& expected : std::vector<std::string>{
           std::string("golive deploy failed and was rolled back"),
           "| Outcome | **rolled_back** (exit 1) |", "`" + v1 + "` → `" + v2 + "`",
           "v2: login broken", "| What failed | gate failed: login",
           "| web1 | `" + v1 + "` | `" + v1 + "` | switched, rolled back |", "#### Gate",
           "**FAIL**", "#### Rollback", "Restored the previous release and verified it",
           "time to restore: ", "#### Verification of the restored release"}) {
    EXPECT_NE(md.find(expected), std::string::npos) << expected << "\n" << md;
  }
  EXPECT_EQ(output_value(s, "release_id"), v2);
  EXPECT_EQ(output_value(s, "outcome"), "rolled_back");
  EXPECT_EQ(output_value(s, "exit_code"), "1");
  EXPECT_EQ(output_value(s, "previous_release"), v1);
  EXPECT_NE(run.out.find("::error title=golive gate%3A login @web1::"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("::error title=golive deploy rolled_back (exit 1)::gate failed"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("::group::rollback\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("::group::verify\n"), std::string::npos) << run.out;
  expect_all_serve(s, v1);
  expect_no_secret_anywhere(s, run);
}

TEST(CiScenario, GithubActionsValidateErrorsAreFileAnnotations) {
  Scenario s(1);
  s.write("golive.yml", Scenario::replace(s.runbook(), "timeout: 30s", "timeout: 30x"));
  GoliveRun run = s.golive({"validate"}, github_env(s));
  EXPECT_EQ(run.exit_code, 2) << run.all();
  EXPECT_NE(run.out.find("::error file=golive.yml,line="), std::string::npos) << run.all();
  EXPECT_NE(run.out.find(",title=golive validate::steps["), std::string::npos) << run.out;
}

TEST(CiScenario, GitlabSectionsIdentityAndJunit) {
  Scenario s(3);
  std::map<std::string, std::string> env{
      {"GITLAB_CI", "true"},
      {"GITLAB_USER_LOGIN", "jane"},
      {"CI_JOB_URL", "https://gitlab.example.com/acme/portal/-/jobs/77"}};
  GoliveRun run = s.golive(ci_deploy_args(s), env);
  ASSERT_EQ(run.exit_code, 0) << run.all();
  const std::string id = release_id_in(run);
  for (const char* marker : {"\x1b[0Ksection_start:", "_build[collapsed=false]\r\x1b[0Kbuild",
                             "_gate[collapsed=false]\r\x1b[0Kgate", "\x1b[0Ksection_end:"}) {
    EXPECT_NE(run.err.find(marker), std::string::npos) << marker << "\n" << run.err;
  }
  EXPECT_EQ(run.out.find("::group::"), std::string::npos) << run.out;
  json detail = show(s, id);
  EXPECT_EQ(detail["release"].value("deployer", ""), "gitlab:jane");
  EXPECT_EQ(detail["release"].value("ci_url", ""),
            "https://gitlab.example.com/acme/portal/-/jobs/77");
  const std::string junit = Scenario::read_file(s.dir() + "/golive-junit.xml");
  EXPECT_NE(junit.find("<testsuite name=\"golive gate\""), std::string::npos) << junit;
  EXPECT_FALSE(fs::exists(s.dir() + "/step_summary.md"));
  expect_no_secret(run.all(), "gitlab job log");
}

TEST(CiScenario, OtherCiUsesGoliveDeployerThenGitIdentity) {
  Scenario s(1);
  GoliveRun named =
      s.golive({"deploy", "staging", "--reason", "cron"}, {{"GOLIVE_DEPLOYER", "cron@deploybox"}});
  ASSERT_EQ(named.exit_code, 0) << named.all();
  EXPECT_EQ(show(s, release_id_in(named))["release"].value("deployer", ""), "cron@deploybox");
  GoliveRun git =
      s.golive({"deploy", "staging", "--reason", "jenkins"}, {{"GIT_COMMITTER_NAME", "Jenkins"}});
  ASSERT_EQ(git.exit_code, 0) << git.all();
  EXPECT_EQ(show(s, release_id_in(git))["release"].value("deployer", ""),
            "Jenkins <test@example.com>");
}

// Issue 20 item 6: a step and a commit subject that try to drive the operator's terminal.
TEST(CiScenario, TerminalInjectionIsRenderedVisiblyInEverySink) {
  Scenario s(1);
  s.edit_runbook({{"  - { name: switch, switch: current }\n",
                   "  - name: hostile\n"
                   "    run: printf '\\033]0;pwned\\007\\033]52;c;cGF5bG9hZA==\\007\\033[2J\\r"
                   "FAKE deploy succeeded\\n\\233' \n"
                   "  - { name: switch, switch: current }\n"}});
  s.commit("evil \x1b]0;title\x07 subject\r");
  GoliveRun run = s.golive(
      {"deploy", "staging", "--reason", "inject", "--junit", s.dir() + "/golive-junit.xml"},
      github_env(s));
  ASSERT_EQ(run.exit_code, 0) << run.all();
  const std::string log = Scenario::read_file(s.repo() + "/.golive/golive.log");
  ASSERT_FALSE(log.empty());
  const std::map<std::string, std::string> sinks{
      {"stdout", run.out},
      {"stderr", run.err},
      {"golive.log", log},
      {"summary", Scenario::read_file(s.dir() + "/step_summary.md")},
      {"junit", Scenario::read_file(s.dir() + "/golive-junit.xml")}};
  for (const auto& [where, text] : sinks) {
    for (char bad : {'\x1b', '\x07', '\r'}) {
      EXPECT_EQ(text.find(bad), std::string::npos)
          << where << " carries raw control character " << int(bad) << ":\n"
          << text;
    }
    EXPECT_EQ(text.find("\xc2\x9b"), std::string::npos) << where;
  }
  EXPECT_NE(run.err.find("web1 | ^[]0;pwned^G^[]52;c;cGF5bG9hZA==^G^[[2J^MFAKE deploy succeeded"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("\"evil ^[]0;title^G subject"), std::string::npos) << run.err;
  EXPECT_NE(log.find("^[[2J^MFAKE deploy succeeded"), std::string::npos) << log;
}

// Read-only commands leave the repository as it was: no .golive/, no log, no ledger.
TEST(CiScenario, ReadOnlyCommandsWriteNothingIntoTheRepository) {
  Scenario s(1);
  const std::map<std::string, std::string> no_ledger_override{{"GOLIVE_LEDGER", ""}};
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"validate"},
                                             {"plan", "staging"},
                                             {"history"},
                                             {"show", "20260101T000000Z-0000000"},
                                             {"releases", "staging"}}) {
    GoliveRun run = s.golive(args, no_ledger_override);
    EXPECT_NE(run.exit_code, -1) << args[0];
    EXPECT_FALSE(fs::exists(s.repo() + "/.golive")) << args[0] << " wrote .golive/\n" << run.all();
  }
  EXPECT_EQ(Scenario::sh("cd " + shell_quote(s.repo()) + " && git status --porcelain"), "");
  // A deploy does keep its log there, and the example's .gitignore keeps it out of commits.
  GoliveRun deploy = s.golive({"deploy", "staging", "--reason", "log"});
  ASSERT_EQ(deploy.exit_code, 0) << deploy.all();
  EXPECT_TRUE(fs::exists(s.repo() + "/.golive/golive.log"));
  EXPECT_EQ(Scenario::sh("cd " + shell_quote(s.repo()) + " && git status --porcelain"), "");
}

TEST(CiScenario, InitIgnoresTheGoliveDirectory) {
  Scenario s(1);
  const std::string dir = s.dir() + "/fresh";
  fs::create_directories(dir);
  std::ofstream(dir + "/.gitignore") << "node_modules/";
  GoliveRun run = s.golive({"init", dir});
  ASSERT_EQ(run.exit_code, 0) << run.all();
  EXPECT_EQ(Scenario::read_file(dir + "/.gitignore"),
            "node_modules/\n# golive's local ledger and log\n.golive/\n");
  fs::remove(dir + "/golive.yml");
  fs::remove(dir + "/.env.example");
  ASSERT_EQ(s.golive({"init", dir}).exit_code, 0);
  EXPECT_EQ(Scenario::read_file(dir + "/.gitignore"),
            "node_modules/\n# golive's local ledger and log\n.golive/\n");  // once
}

// The live view in a real terminal: tmux runs golive on a TTY (not in CI).
class TmuxDeploy {
 public:
  explicit TmuxDeploy(Scenario& s)
      : s_(s), socket_("golive-test-" + std::to_string(::getpid())), done_(s.dir() + "/tty.exit") {
    const std::string cmd =
        "cd " + shell_quote(s.repo()) +
        " && env -u CI -u GITHUB_ACTIONS -u GITLAB_CI TERM=xterm-256color"
        " GOLIVE_SSH_CONFIG=" +
        shell_quote(s.fleet().ssh_config()) + " GOLIVE_LEDGER=" + shell_quote(s.ledger()) + " " +
        shell_quote(GOLIVE_BINARY) + " deploy staging --reason tty --yes; echo $? > " +
        shell_quote(done_) + "; sleep 600";
    Scenario::sh("tmux -L " + socket_ + " new-session -d -x 160 -y 50 -s deploy " +
                 shell_quote(cmd));
  }
  ~TmuxDeploy() { Scenario::sh("tmux -L " + socket_ + " kill-server 2>/dev/null; true"); }
  std::string screen() const {
    return Scenario::sh("tmux -L " + socket_ + " capture-pane -p -t deploy");
  }
  std::string raw() const {
    return Scenario::sh("tmux -L " + socket_ + " capture-pane -p -e -S -100 -t deploy | cat -v");
  }
  // Waits for golive to exit and tmux to have drawn its last line (tmux reads the pty on its own
  // time: the exit file can exist before the outcome is on the screen).
  bool wait_done() const {
    return Scenario::wait_until([&] { return fs::exists(done_); }, std::chrono::seconds(120)) &&
           Scenario::wait_until([&] { return screen().find("(exit ") != std::string::npos; },
                                std::chrono::seconds(5));
  }
  std::string exit_code() const { return Scenario::read_file(done_); }

 private:
  Scenario& s_;
  std::string socket_, done_;
};

// Lines of `screen` that start with "  <host>  <state>".
int host_lines(const std::string& screen, const std::string& host, const std::string& state,
               const std::string& also = "") {
  std::istringstream lines(screen);
  int count = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("  " + host + "  " + state) &&
        (also.empty() || line.find(also) != std::string::npos)) {
      ++count;
    }
  }
  return count;
}

TEST(CiScenario, TtyShowsOneLinePerHostAndTheOutcome) {
  Scenario s(3);
  TmuxDeploy tty(s);
  const bool finished = tty.wait_done();
  const std::string screen = tty.screen();
  ASSERT_TRUE(finished) << screen;
  EXPECT_EQ(tty.exit_code(), "0\n") << screen;
  for (const char* host : {"web1", "web2", "web3"}) {
    // One line per host in the final block: name, "done", its steps and elapsed time.
    EXPECT_EQ(host_lines(screen, host, "done", " steps "), 1) << host << "\n" << screen;
  }
  EXPECT_NE(screen.find("== gate"), std::string::npos) << screen;
  EXPECT_NE(screen.find("succeeded (exit 0)"), std::string::npos) << screen;
  // The per-step "ok" lines are the plain (non-TTY) view's, not the terminal's.
  EXPECT_EQ(screen.find("web1: upload ok"), std::string::npos) << screen;
}

TEST(CiScenario, TtyRedrawsHostLinesInPlaceWhileStepsRun) {
  Scenario s(3);
  s.edit_runbook({{"  - { name: switch, switch: current }\n",
                   "  - { name: warm up, run: \"sleep 3\" }\n"
                   "  - { name: switch, switch: current }\n"}});
  s.commit("slow step");
  TmuxDeploy tty(s);
  std::string during;
  ASSERT_TRUE(Scenario::wait_until(
      [&] {
        during = tty.screen();
        return host_lines(during, "web1", "running", "warm up") == 1 &&
               host_lines(during, "web3", "running", "warm up") == 1;
      },
      std::chrono::seconds(60)))
      << during;
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  const std::string later = tty.screen();
  for (const char* host : {"web1", "web2", "web3"}) {
    // Still exactly one line per host: the block is redrawn, not appended.
    EXPECT_EQ(host_lines(later, host, "running") + host_lines(later, host, "done"), 1)
        << host << "\n"
        << later;
  }
  EXPECT_NE(later, during) << "the elapsed time did not move:\n" << later;
  ASSERT_TRUE(tty.wait_done()) << tty.screen();
  EXPECT_EQ(tty.exit_code(), "0\n") << tty.screen();
}

TEST(CiScenario, TtyGateChecksFillInThenTheRollback) {
  Scenario s(3);
  s.write("golive.yml", runbook(s, "", "", ""));
  s.commit("short gate");
  deploy_ok(s);
  s.set_break({"login"});
  s.commit("login broken");
  TmuxDeploy tty(s);
  std::string during;
  const bool seen = Scenario::wait_until(
      [&] {
        during = tty.screen();
        return during.find("checking  ") != std::string::npos &&
               during.find(" left") != std::string::npos;
      },
      std::chrono::seconds(60));
  EXPECT_TRUE(seen) << during;
  EXPECT_NE(during.find("login @web1"), std::string::npos) << during;
  ASSERT_TRUE(tty.wait_done()) << tty.screen();
  const std::string screen = tty.screen();
  EXPECT_EQ(tty.exit_code(), "1\n") << screen << "\nRAW\n" << tty.raw();
  for (const char* host : {"web1", "web2", "web3"}) {
    // The rollback's block (the deploy's may have scrolled off a 50-line pane).
    EXPECT_GE(host_lines(screen, host, "done", " steps "), 1) << host << "\n" << screen;
  }
  EXPECT_NE(screen.find("rolled_back (exit 1)"), std::string::npos) << screen;
  EXPECT_NE(screen.find("== rollback"), std::string::npos) << screen;
  EXPECT_NE(screen.find("(exit 1)"), std::string::npos) << screen;
  EXPECT_EQ(screen.find("checking  "), std::string::npos) << "stale gate lines:\n" << screen;
}

TEST(CiScenario, NonTtyOutputStaysPlainLines) {
  Scenario s(1);
  GoliveRun run = s.golive({"deploy", "staging", "--reason", "plain"});
  ASSERT_EQ(run.exit_code, 0) << run.all();
  EXPECT_NE(run.err.find("web1: upload ok ("), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("web1: restart ok ("), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find('\x1b'), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("== "), std::string::npos) << run.err;
}

}  // namespace
}  // namespace golive::testing
