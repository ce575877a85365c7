#include "orchestrator/context/ci_output.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "orchestrator/context/live_view.h"

namespace golive {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CiOutput, GithubEscapingFollowsWorkflowCommandRules) {
  EXPECT_EQ(github_escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
  EXPECT_EQ(github_escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
}

TEST(CiOutput, MarkdownCellsCannotBreakTheTable) {
  EXPECT_EQ(markdown_cell("a|b<script>\x1b[2J\nx"), "a\\|b&lt;script&gt;^[[2J^Jx");
}

CiReport rolled_back_report() {
  CiReport r;
  r.outcome = "rolled_back";
  r.exit_code = 1;
  r.release_id = "20261129T101500Z-3f2a9c1";
  r.environment = "production";
  r.commit = "3f2a9c1d0e8b";
  r.subject = "Fix | login";
  r.previous_release = "20261128T090000Z-aaaaaaa";
  r.deployer = "github:octocat";
  r.ci_url = "https://github.com/acme/portal/actions/runs/1/attempts/2";
  r.why = "gate failed: login @web1: HTTP 500 token=SUPERSECRET";
  r.hosts = {{"web1", r.previous_release, r.previous_release, "switched, rolled back"}};
  CheckResult c;
  c.name = "login";
  c.host = "web1";
  c.attempts = 3;
  c.p50 = Millis(12);
  c.p95 = Millis(40);
  c.reason = "HTTP 500 token=SUPERSECRET";
  r.gate = {c};
  r.rollback_ran = true;
  r.rollback_outcome = "Restored the previous release and verified it";
  r.time_to_restore_ms = 4200;
  return r;
}

TEST(CiOutput, SummaryOutputsAndAnnotationsAreRedactedAndComplete) {
  const std::string dir =
      std::filesystem::temp_directory_path() / ("golive-ci-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string summary = dir + "/summary.md", output = dir + "/output";
  Redactor redactor;
  redactor.add("TOKEN", "SUPERSECRET");
  CiOutput ci(
      {{"GITHUB_ACTIONS", "true"}, {"GITHUB_STEP_SUMMARY", summary}, {"GITHUB_OUTPUT", output}},
      redactor, /*stdout_is_machine_output=*/false);
  ASSERT_EQ(ci.provider(), CiProvider::kGitHub);
  ::testing::internal::CaptureStdout();
  ci.group_begin("gate");
  ci.publish(rolled_back_report());
  const std::string out = ::testing::internal::GetCapturedStdout();
  const std::string md = slurp(summary);
  for (const char* expected :
       {"### ↩️ golive deploy failed and was rolled back",
        "| Outcome | **rolled_back** (exit 1) |", "| Release | `20261129T101500Z-3f2a9c1` |",
        "| Environment | production |", "`20261128T090000Z-aaaaaaa` → `20261129T101500Z-3f2a9c1`",
        "Fix \\| login",
        "| web1 | `20261128T090000Z-aaaaaaa` | `20261128T090000Z-aaaaaaa` | switched, rolled back "
        "|",
        "| Check | Host | Attempts | p50 | p95 | Verdict | Reason |",
        "| login | web1 | 3 | 12 ms | 40 ms | **FAIL** |", "#### Rollback",
        "time to restore: 4200 ms", "github:octocat"}) {
    EXPECT_NE(md.find(expected), std::string::npos) << expected << "\n" << md;
  }
  const std::string outputs = slurp(output);
  EXPECT_NE(outputs.find("release_id=20261129T101500Z-3f2a9c1\n"), std::string::npos) << outputs;
  EXPECT_NE(outputs.find("outcome=rolled_back\n"), std::string::npos) << outputs;
  EXPECT_NE(outputs.find("previous_release=20261128T090000Z-aaaaaaa\n"), std::string::npos);
  EXPECT_NE(outputs.find("exit_code=1\n"), std::string::npos);
  EXPECT_NE(out.find("::group::gate\n::endgroup::\n"), std::string::npos) << out;
  EXPECT_NE(out.find("::error title=golive gate%3A login @web1::HTTP 500"), std::string::npos)
      << out;
  for (const auto& text : {md, outputs, out}) {
    EXPECT_EQ(text.find("SUPERSECRET"), std::string::npos) << text;
    EXPECT_EQ(text.find("add-mask"), std::string::npos) << text;
  }
  std::filesystem::remove_all(dir);
}

TEST(CiOutput, AnnotationsAreCappedWithACount) {
  Redactor redactor;
  CiOutput ci({{"GITHUB_ACTIONS", "true"}}, redactor, false);
  CiReport r = rolled_back_report();
  r.gate.resize(25, r.gate[0]);
  ::testing::internal::CaptureStdout();
  ci.publish(r);
  const std::string out = ::testing::internal::GetCapturedStdout();
  std::size_t n = 0;
  for (std::size_t at = 0; (at = out.find("::error ", at)) != std::string::npos; ++at) ++n;
  EXPECT_EQ(n, kMaxAnnotations + 1) << out;
  EXPECT_NE(out.find("16 more error(s)"), std::string::npos) << out;
}

TEST(CiOutput, ValidateErrorsPointAtFileLineAndColumn) {
  Redactor redactor;
  CiOutput ci({{"GITHUB_ACTIONS", "true"}}, redactor, false);
  ::testing::internal::CaptureStdout();
  ci.file_error("deploy/golive.yml", 12, 5, "steps[3].timeout: not a duration, got \"5x\"");
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(out,
            "::error file=deploy/golive.yml,line=12,col=5,title=golive validate::steps[3].timeout: "
            "not a duration, got \"5x\"\n");
}

TEST(CiOutput, GitlabSectionsAndNothingOutsideCi) {
  Redactor redactor;
  CiOutput gitlab({{"GITLAB_CI", "true"}}, redactor, false);
  ::testing::internal::CaptureStderr();
  gitlab.group_begin("Deploy batch 1/2: web1");
  gitlab.group_end();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("\x1b[0Ksection_start:"), std::string::npos) << err;
  EXPECT_NE(err.find(":golive_1_deploy_batch_1_2__web1[collapsed=false]\r\x1b[0KDeploy batch"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("\x1b[0Ksection_end:"), std::string::npos) << err;

  CiOutput none({}, redactor, false);
  ::testing::internal::CaptureStdout();
  none.group_begin("x");
  none.publish(rolled_back_report());
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "");
}

TEST(LiveView, OneLinePerHostThenTheWait) {
  using namespace std::chrono_literals;
  LiveView v;
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  v.step_started("web1", "upload", t0);
  v.step_started("web2", "upload", t0);
  v.step_finished("web1", "upload", true, t0 + 1s);
  v.step_started("web1", "migrate\x1b[2J", t0 + 1s);
  v.step_finished("web2", "upload", false, t0 + 2s);
  v.status("gate: 3 checks", t0 + 30s);
  auto lines = v.render(t0 + 3s, 80, false);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "  web1  running migrate^[[2J  3.0s");
  EXPECT_EQ(lines[1], "  web2  FAILED  at upload  2.0s");
  EXPECT_EQ(lines[2], "  gate: 3 checks, 27.0s left");
  v.hosts_done(t0 + 4s);
  EXPECT_EQ(v.render(t0 + 5s, 80, false)[0], "  web1  done    1 steps  1.0s");
  EXPECT_EQ(v.render(t0 + 5s, 12, false)[0], "  web1  done");
}

TEST(LiveView, UploadProgressShowsUntilTheStepEnds) {
  using namespace std::chrono_literals;
  LiveView v;
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  v.step_started("web1", "upload", t0);
  v.step_note("web1", "45% of 21.3 MB");
  EXPECT_EQ(v.render(t0 + 2s, 80, false)[0], "  web1  running upload  45% of 21.3 MB  2.0s");
  v.step_finished("web1", "upload", true, t0 + 3s);
  v.step_started("web1", "migrate", t0 + 3s);
  EXPECT_EQ(v.render(t0 + 4s, 80, false)[0], "  web1  running migrate  4.0s");
}

}  // namespace
}  // namespace golive
