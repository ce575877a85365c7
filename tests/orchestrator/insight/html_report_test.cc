// The HTML report rendered from a real ledger and opened in real headless chromium: the DOM has
// the tiles, the timeline and the table; nothing in the file asks for the network; screenshots
// at 1280x900 and at phone width land in the test's temp dir (kept, printed).
#include "orchestrator/insight/html_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "golive/redactor.h"
#include "orchestrator/ledger/ledger_report.h"
#include "tests/orchestrator/insight/known_ledger.h"

namespace golive {
namespace {

using testing::kDayMs;
using testing::kNowMs;

std::string run(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

class HtmlReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "golive-report-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto ledger = open_sqlite_ledger(dir_ + "/ledger.db");
    ASSERT_TRUE(ledger) << ledger.error().message;
    releases_ = testing::write_known_releases(**ledger);
    // A secret that made it into a recorded reason and a hostile subject must not survive.
    releases_[0].release.reason = "rotated key hunter2-SECRET-value";
    releases_[0].release.subject = "<script>alert(1)</script> & \"quotes\"";
    redactor_.add("API_KEY", "hunter2-SECRET-value");
  }
  std::string render(const std::vector<ReleaseDetail>& releases) {
    ReportInput in;
    in.title = "portal: all environments";
    in.generated_at = "2026-11-30T12:00:00Z";
    in.stats =
        compute_dora_stats(releases, testing::known_commit_times(), kNowMs - 28 * kDayMs, kNowMs);
    // As `golive report` passes them: the window's releases only.
    for (const auto& d : releases) {
      if (iso8601_ms(d.release.started_at) >= kNowMs - 28 * kDayMs) in.releases.push_back(d);
    }
    return render_html_report(in, [&](std::string_view t) { return redactor_.redact(t); });
  }
  std::string dir_;  // kept after the test: it holds the screenshots
  std::vector<ReleaseDetail> releases_;
  Redactor redactor_;
};

TEST_F(HtmlReportTest, SelfContainedEscapedAndRedacted) {
  const std::string html = render(releases_);
  EXPECT_EQ(html.find("hunter2-SECRET-value"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"),
            std::string::npos);
  // No request can leave the file: no src, no external href, no CSS url(), no @import.
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  for (auto pos = html.find("href=\""); pos != std::string::npos;
       pos = html.find("href=\"", pos + 1)) {
    EXPECT_EQ(html.compare(pos + 6, 3, "#r-"), 0) << html.substr(pos, 40);
  }
}

TEST_F(HtmlReportTest, EmptyLedgerStillRenders) {
  const std::string html = render({});
  EXPECT_NE(html.find("No releases recorded."), std::string::npos);
  EXPECT_NE(html.find("id=\"tile-lead-time\""), std::string::npos);
}

TEST_F(HtmlReportTest, HeadlessChromiumSeesTilesTimelineAndTable) {
  if (access("/usr/bin/chromium", X_OK) != 0) GTEST_FAIL() << "chromium is not installed";
  const std::string file = dir_ + "/report.html";
  std::ofstream(file) << render(releases_);
  // No network at all for the browser: every host name resolves to nothing.
  const std::string chromium =
      "timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run "
      "--host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir=" +
      dir_ + "/profile ";
  const std::string dom = run(chromium + "--dump-dom file://" + file + " 2>/dev/null");
  ASSERT_NE(dom.find("</html>"), std::string::npos) << "chromium printed no DOM";
  for (const char* id : {"tile-frequency", "tile-lead-time", "tile-failure-rate", "tile-restore",
                         "timeline", "weekly", "releases-table"}) {
    EXPECT_NE(dom.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  }
  // 7 releases in the window: one dot each, one table row each, one detail each.
  EXPECT_EQ(count(dom, "<circle"), 7);
  EXPECT_EQ(count(dom, "<tr><td><a href=\"#r-"), 7);
  EXPECT_EQ(count(dom, "<article class=\"release\""), 7);
  EXPECT_NE(dom.find("40%"), std::string::npos);  // change failure rate tile
  EXPECT_EQ(dom.find("<script"), std::string::npos);

  for (const auto& [name, size] :
       {std::pair{"report-1280.png", "1280,900"}, std::pair{"report-phone.png", "390,844"}}) {
    const std::string png = dir_ + "/" + name;
    run(chromium + "--hide-scrollbars --window-size=" + size + " --screenshot=" + png + " file://" +
        file + " >/dev/null 2>&1");
    ASSERT_TRUE(std::filesystem::exists(png)) << png;
    EXPECT_GT(std::filesystem::file_size(png), 10'000u) << png;
  }
  std::printf("report and screenshots kept in %s\n", dir_.c_str());
  RecordProperty("artefacts", dir_);
}

}  // namespace
}  // namespace golive
