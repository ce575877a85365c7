// What golive tells the CI system it runs in, beyond its log lines: GitHub Actions (job summary,
// ::error annotations, ::group:: folds, step outputs) and GitLab CI (collapsible sections).
// Everything written here is redacted and has control characters made visible.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "golive/gate.h"
#include "golive/redactor.h"

namespace golive {

enum class CiProvider { kNone, kGitHub, kGitLab };

// One host's line in the summary: what it served before, what it serves now, what happened.
struct CiHostRow {
  std::string host;
  std::string from;    // release served before ("" when none)
  std::string to;      // release served at the end
  std::string status;  // "switched", "rolled back", "failed at migrate", "untouched"...
};

// The end of a deploy or rollback, as a CI page shows it.
struct CiReport {
  std::string command = "deploy";  // deploy|rollback
  std::string outcome;             // succeeded|rolled_back|rollback_failed|blocked|failed
  int exit_code = 0;
  std::string release_id;
  std::string environment;
  std::string app;
  std::string commit;            // full sha of the new release
  std::string subject;           // its commit subject
  std::string previous_release;  // what was live before ("" when nothing)
  std::string deployer;
  std::string ci_url;
  std::string why;  // the failure, empty on success
  std::vector<CiHostRow> hosts;
  std::vector<CheckResult> gate;    // the gate's verdict, per check
  std::vector<CheckResult> verify;  // the rollback's verification
  bool rollback_ran = false;
  std::string rollback_outcome;       // "restored and verified", "FAILED: ..."
  long long time_to_restore_ms = -1;  // -1: not applicable
};

// At most this many ::error annotations per run; the rest are summed up in one more.
inline constexpr std::size_t kMaxAnnotations = 10;
// GitHub refuses a step summary over 1 MiB; golive stays well under it.
inline constexpr std::size_t kMaxSummaryBytes = 1000 * 1000;

class CiOutput {
 public:
  // `env` is the process environment; workflow commands go to stdout, or to stderr when stdout
  // carries machine output (`--json`).
  CiOutput(const std::map<std::string, std::string>& env, const Redactor& redactor,
           bool stdout_is_machine_output);

  CiProvider provider() const { return provider_; }

  // Opens a fold named `title` in the job log (closing an open one first); no-op outside CI.
  void group_begin(const std::string& title);
  void group_end();

  // An error at a position of a file (runbook diagnostics): GitHub's ::error file=,line=,col=.
  void file_error(const std::string& file, int line, int col, const std::string& message);

  // The final report: GitHub job summary, ::error annotations for what failed, step outputs.
  void publish(const CiReport& report);

  // The Markdown summary for `report` (exposed for tests).
  std::string summary_markdown(const CiReport& report) const;

 private:
  void command_line(const std::string& line);
  void annotate(const std::string& title, const std::string& message);

  CiProvider provider_ = CiProvider::kNone;
  const Redactor& redactor_;
  bool to_stderr_ = false;
  std::string summary_path_;
  std::string output_path_;
  std::string open_group_;  // GitLab: the open section's id
  std::size_t annotations_ = 0;
  std::size_t annotations_dropped_ = 0;
};

// GitHub workflow-command escaping: the message part (%, CR, LF) and a property value (also ':'
// and ',').
std::string github_escape_data(const std::string& text);
std::string github_escape_property(const std::string& text);

// Text for a Markdown table cell: visible, one line, '|' and HTML markup escaped.
std::string markdown_cell(const std::string& text);

}  // namespace golive
