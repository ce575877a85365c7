#include "orchestrator/context/ci_output.h"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>

#include "golive/visible_text.h"
#include "golive/vocabulary.h"

namespace golive {
namespace {

using Env = std::map<std::string, std::string>;

std::string get(const Env& env, const char* key) {
  auto it = env.find(key);
  return it == env.end() ? "" : it->second;
}

bool truthy(const std::string& v) {
  return v == "true" || v == "TRUE" || v == "True" || v == "1" || v == "yes";
}

std::string ms_text(long long ms) {
  if (ms < 0) return "-";
  char buf[32];
  if (ms < 10'000) {
    std::snprintf(buf, sizeof buf, "%lld ms", ms);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  }
  return buf;
}

std::string code(const std::string& text) {
  return text.empty() ? "-" : "`" + markdown_cell(text) + "`";
}

std::string outcome_headline(const CiReport& r) {
  if (is(r.outcome, ReleaseStatus::kSucceeded)) return "✅ golive " + r.command + " succeeded";
  if (is(r.outcome, ReleaseStatus::kRolledBack))
    return "↩️ golive " + r.command + " failed and was rolled back";
  if (is(r.outcome, ReleaseStatus::kRollbackFailed))
    return "🚨 golive " + r.command + ": rollback FAILED";
  if (is(r.outcome, ReleaseStatus::kBlocked))
    return "⛔ golive " + r.command + " blocked (nothing touched)";
  return "❌ golive " + r.command + " failed";
}

void checks_table(std::string& md, const std::string& title, const std::vector<CheckResult>& cs) {
  md += "\n#### " + title + "\n\n";
  md += "| Check | Host | Attempts | p50 | p95 | Verdict | Reason |\n";
  md += "| --- | --- | ---: | ---: | ---: | --- | --- |\n";
  for (const auto& c : cs) {
    md += "| " + markdown_cell(c.name) + " | " + (c.host.empty() ? "-" : markdown_cell(c.host)) +
          " | " + std::to_string(c.attempts) + " | " + ms_text(c.p50.count()) + " | " +
          ms_text(c.p95.count()) + " | " + (c.passed ? "pass" : "**FAIL**") + " | " +
          (c.passed ? "" : markdown_cell(c.reason)) + " |\n";
  }
}

// A delimiter that cannot occur in `value` (GitHub's multi-line output form).
std::string delimiter_for(const std::string& value) {
  std::random_device rd;
  for (;;) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "ghadelimiter_%08x%08x", rd(), rd());
    if (value.find(buf) == std::string::npos) return buf;
  }
}

// Section ids GitLab accepts: [a-z0-9_.-].
std::string section_id(const std::string& title, int n) {
  std::string id = "golive_" + std::to_string(n) + "_";
  for (char c : title) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (c >= 'A' && c <= 'Z') {
      id += static_cast<char>(c - 'A' + 'a');
    } else {
      id += ok ? c : '_';
    }
    if (id.size() > 60) break;
  }
  return id;
}

}  // namespace

std::string github_escape_data(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out;
}

std::string github_escape_property(const std::string& text) {
  std::string out;
  for (char c : github_escape_data(text)) {
    if (c == ':') {
      out += "%3A";
    } else if (c == ',') {
      out += "%2C";
    } else {
      out += c;
    }
  }
  return out;
}

std::string markdown_cell(const std::string& text) {
  std::string out;
  for (char c : visible(text)) {
    switch (c) {
      case '|':
        out += "\\|";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\t':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

CiOutput::CiOutput(const Env& env, const Redactor& redactor, bool stdout_is_machine_output)
    : redactor_(redactor), to_stderr_(stdout_is_machine_output) {
  if (truthy(get(env, "GITHUB_ACTIONS"))) {
    provider_ = CiProvider::kGitHub;
    summary_path_ = get(env, "GITHUB_STEP_SUMMARY");
    output_path_ = get(env, "GITHUB_OUTPUT");
  } else if (truthy(get(env, "GITLAB_CI"))) {
    provider_ = CiProvider::kGitLab;
    // GitLab folds only what shares one stream with the lines inside: the Reporter's stderr.
    to_stderr_ = true;
  }
}

void CiOutput::command_line(const std::string& line) {
  // Lines of both streams interleave in the job log: flush what came before, then this.
  std::fflush(stderr);
  std::FILE* out = to_stderr_ ? stderr : stdout;
  std::fputs(line.c_str(), out);
  std::fputc('\n', out);
  std::fflush(out);
}

void CiOutput::group_begin(const std::string& title) {
  if (provider_ == CiProvider::kNone) return;
  group_end();
  const std::string clean = visible(redactor_.redact(title));
  if (provider_ == CiProvider::kGitHub) {
    command_line("::group::" + github_escape_data(clean));
    open_group_ = clean;
    return;
  }
  static int sections = 0;
  open_group_ = section_id(clean, ++sections);
  command_line("\x1b[0Ksection_start:" + std::to_string(std::time(nullptr)) + ":" + open_group_ +
               "[collapsed=false]\r\x1b[0K" + clean);
}

void CiOutput::group_end() {
  if (open_group_.empty()) return;
  if (provider_ == CiProvider::kGitHub) {
    command_line("::endgroup::");
  } else if (provider_ == CiProvider::kGitLab) {
    command_line("\x1b[0Ksection_end:" + std::to_string(std::time(nullptr)) + ":" + open_group_ +
                 "\r\x1b[0K");
  }
  open_group_.clear();
}

void CiOutput::annotate(const std::string& title, const std::string& message) {
  if (provider_ != CiProvider::kGitHub) return;
  if (annotations_ >= kMaxAnnotations) {
    ++annotations_dropped_;
    return;
  }
  ++annotations_;
  command_line("::error title=" + github_escape_property(visible(redactor_.redact(title))) +
               "::" + github_escape_data(visible(redactor_.redact(message), true)));
}

void CiOutput::file_error(const std::string& file, int line, int col, const std::string& message) {
  if (provider_ != CiProvider::kGitHub) return;
  if (annotations_ >= kMaxAnnotations) {
    ++annotations_dropped_;
    return;
  }
  ++annotations_;
  command_line("::error file=" + github_escape_property(visible(file)) + ",line=" +
               std::to_string(line) + ",col=" + std::to_string(col) + ",title=golive validate::" +
               github_escape_data(visible(redactor_.redact(message), true)));
}

std::string CiOutput::summary_markdown(const CiReport& r) const {
  std::string md = "### " + outcome_headline(r) + "\n\n";
  md += "| | |\n| --- | --- |\n";
  md += "| Outcome | **" + markdown_cell(r.outcome) + "** (exit " + std::to_string(r.exit_code) +
        ") |\n";
  md += "| Release | " + code(r.release_id) + " |\n";
  md += "| Environment | " + markdown_cell(r.environment) + " |\n";
  std::string sha = r.commit.substr(0, 7);
  md += "| Commits | " + code(r.previous_release) + " → " + code(r.release_id) +
        (sha.empty() ? "" : " (" + code(sha) + " " + markdown_cell(r.subject) + ")") + " |\n";
  md += "| Deployer | " + markdown_cell(r.deployer) + " |\n";
  if (!r.ci_url.empty()) md += "| Run | " + markdown_cell(r.ci_url) + " |\n";
  if (!r.why.empty()) md += "| What failed | " + markdown_cell(r.why) + " |\n";
  if (!r.hosts.empty()) {
    md += "\n#### Hosts\n\n| Host | From | To | Status |\n| --- | --- | --- | --- |\n";
    for (const auto& h : r.hosts) {
      md += "| " + markdown_cell(h.host) + " | " + code(h.from) + " | " + code(h.to) + " | " +
            markdown_cell(h.status) + " |\n";
    }
  }
  if (!r.gate.empty()) checks_table(md, "Gate", r.gate);
  if (r.rollback_ran) {
    md += "\n#### Rollback\n\n" + markdown_cell(r.rollback_outcome) +
          (r.time_to_restore_ms >= 0 ? "; time to restore: " + ms_text(r.time_to_restore_ms)
                                     : std::string()) +
          "\n";
    if (!r.verify.empty()) checks_table(md, "Verification of the restored release", r.verify);
  }
  return redactor_.redact(md);
}

void CiOutput::publish(const CiReport& r) {
  if (provider_ != CiProvider::kGitHub) return;
  group_end();
  // Annotations: each failed check with its reason, else the failure itself.
  std::size_t failed_checks = 0;
  for (const auto* list : {&r.gate, &r.verify}) {
    for (const auto& c : *list) {
      if (c.passed) continue;
      ++failed_checks;
      annotate("golive " + str(list == &r.gate ? Phase::kGate : Phase::kVerify) + ": " + c.name +
                   (c.host.empty() ? "" : " @" + c.host),
               c.reason);
    }
  }
  if (!is(r.outcome, ReleaseStatus::kSucceeded)) {
    annotate(
        "golive " + r.command + " " + r.outcome + " (exit " + std::to_string(r.exit_code) + ")",
        r.why.empty() ? r.outcome : r.why);
  }
  (void)failed_checks;
  if (annotations_dropped_ > 0) {
    const std::size_t n = annotations_dropped_;
    annotations_dropped_ = 0;
    annotations_ = 0;  // the count itself is always said
    annotate("golive", std::to_string(n) + " more error(s); see the job summary and the log");
  }
  if (!summary_path_.empty()) {
    std::error_code ec;
    auto existing = std::filesystem::file_size(summary_path_, ec);
    std::size_t used = ec ? 0 : static_cast<std::size_t>(existing);
    std::string md = summary_markdown(r);
    const std::size_t room = used < kMaxSummaryBytes ? kMaxSummaryBytes - used : 0;
    if (md.size() > room) {
      const std::string note = "\n\n*(summary cut to stay under GitHub's 1 MiB limit)*\n";
      md = room > note.size() ? md.substr(0, room - note.size()) + note : "";
    }
    std::ofstream(summary_path_, std::ios::app) << md;
  }
  if (!output_path_.empty()) {
    std::ofstream out(output_path_, std::ios::app);
    const std::pair<const char*, std::string> outputs[] = {
        {"release_id", r.release_id},
        {"outcome", r.outcome},
        {"previous_release", r.previous_release},
        {"exit_code", std::to_string(r.exit_code)}};
    for (const auto& [name, raw] : outputs) {
      const std::string value = redactor_.redact(raw);
      if (value.find_first_of("\r\n") == std::string::npos) {
        out << name << "=" << value << "\n";
      } else {
        const std::string d = delimiter_for(value);
        out << name << "<<" << d << "\n" << value << "\n" << d << "\n";
      }
    }
  }
}

}  // namespace golive
