#include "orchestrator/insight/release_diff.h"

#include <gtest/gtest.h>

#include "orchestrator/insight/insight_json.h"
#include "orchestrator/insight/release_fingerprint.h"

namespace golive {
namespace {

const char* kRunbook =
    "# portal\n"
    "version: 1\n"
    "app: portal\n"
    "\n"
    "steps:\n"
    "  - name: migrate\n"
    "    run: ./migrate\n"
    "\n"
    "checks:\n"
    "  - name: home\n";

TEST(ReleaseFingerprint, EnvFingerprintsAreShortKeyedAndValueFree) {
  auto fp = env_fingerprints("portal", "production", {{"DATABASE_URL", "postgres://s3cret@db"}});
  ASSERT_EQ(fp.size(), 1u);
  EXPECT_EQ(fp["DATABASE_URL"].size(), 8u);
  EXPECT_EQ(fp["DATABASE_URL"].find("s3cret"), std::string::npos);
  // Same value, other environment or other name: another fingerprint.
  EXPECT_NE(env_fingerprints("portal", "staging", {{"DATABASE_URL", "postgres://s3cret@db"}})
                .at("DATABASE_URL"),
            fp["DATABASE_URL"]);
  EXPECT_EQ(env_fingerprints("portal", "production", {{"DATABASE_URL", "postgres://s3cret@db"}}),
            fp);
}

TEST(ReleaseFingerprint, SectionHashesFollowTopLevelKeys) {
  auto a = runbook_section_hashes(kRunbook);
  EXPECT_EQ(a.size(), 4u);  // version, app, steps, checks (the header comment is no section)
  std::string edited = kRunbook;
  edited.replace(edited.find("./migrate"), 9, "./migrate --all");
  auto b = runbook_section_hashes(edited);
  EXPECT_NE(a["steps"], b["steps"]);
  EXPECT_EQ(a["checks"], b["checks"]);
  EXPECT_EQ(a["app"], b["app"]);
}

TEST(ReleaseDiff, NamesAddedRemovedChangedKeysAndSections) {
  ReleaseSide live;
  live.release = "20261130-100000-aaaaaaa";
  live.commit = std::string(40, 'a');
  live.runbook_hash = "1111";
  live.env_keys = {{"KEEP", "00000000"}, {"CHANGE", "11111111"}, {"GONE", "22222222"}};
  live.runbook_sections = {{"app", "x"}, {"steps", "y"}, {"notify", "z"}};
  live.has_env_keys = live.has_sections = true;
  ReleaseSide target;
  target.commit = std::string(40, 'b');
  target.runbook_hash = "2222";
  target.env_keys = {{"KEEP", "00000000"}, {"CHANGE", "33333333"}, {"NEW", "44444444"}};
  target.runbook_sections = {{"app", "x"}, {"steps", "Y"}, {"checks", "c"}};
  target.has_env_keys = target.has_sections = true;
  ReleaseDiff d = diff_sides(live, target);
  d.environment = "production";
  d.target_ref = "HEAD";
  ASSERT_EQ(d.env_changes.size(), 3u);
  EXPECT_EQ(d.env_changes[0].name, "CHANGE");
  EXPECT_EQ(d.env_changes[0].change, "changed");
  EXPECT_EQ(d.env_changes[1].name, "NEW");
  EXPECT_EQ(d.env_changes[1].change, "added");
  EXPECT_EQ(d.env_changes[2].name, "GONE");
  EXPECT_EQ(d.env_changes[2].change, "removed");
  EXPECT_TRUE(d.runbook_changed);
  EXPECT_EQ(d.changed_sections, (std::vector<std::string>{"checks", "notify", "steps"}));
  d.commits = {{std::string(40, 'b'), "", "", "second\x1b[31m", "Ada <a@x>", false, 1}};
  const std::string text = format_diff(d);
  EXPECT_NE(text.find("+ NEW added (44444444)"), std::string::npos) << text;
  EXPECT_NE(text.find("~ CHANGE changed (11111111 -> 33333333)"), std::string::npos) << text;
  EXPECT_NE(text.find("- GONE removed (22222222)"), std::string::npos) << text;
  EXPECT_NE(text.find("sections: checks notify steps"), std::string::npos) << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos);  // no terminal escapes from a subject
  EXPECT_EQ(diff_summary_line(d),
            "1 commit, env: +1 ~1 -1, runbook: changed (checks, notify, steps)");
  EXPECT_NE(diff_json(d).find("\"changed_sections\":[\"checks\",\"notify\",\"steps\"]"),
            std::string::npos);
}

TEST(ReleaseDiff, OldManifestsAndMissingCommits) {
  ReleaseSide live = side_from_manifest(R"({"release":"r1","commit":"abc","runbook_hash":"h"})");
  EXPECT_FALSE(live.has_env_keys);
  EXPECT_EQ(live.commit, "abc");
  ReleaseSide target;
  target.runbook_hash = "h";
  target.env_keys = {{"A", "1"}};
  target.has_env_keys = true;
  ReleaseDiff d = diff_sides(live, target);
  d.commits_note = "unknown: this repository does not contain the live commit abc";
  EXPECT_FALSE(d.env_known);
  EXPECT_FALSE(d.runbook_changed);
  EXPECT_NE(format_diff(d).find("predates env fingerprints"), std::string::npos);
  EXPECT_NE(format_diff(d).find("does not contain the live commit"), std::string::npos);
  EXPECT_FALSE(side_from_manifest("not json").has_env_keys);
}

}  // namespace
}  // namespace golive
