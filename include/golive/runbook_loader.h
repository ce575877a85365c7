// Loading and validating golive.yml: every problem at once, each with file:line:col and key path.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "golive/runbook.h"

namespace golive {

struct Diagnostic {
  std::string file;
  int line = 0;      // 1-based
  int col = 0;       // 1-based
  std::string path;  // key path, e.g. steps[3].timeout
  std::string message;
};

struct LoadResult {
  std::optional<Runbook> runbook;  // set only when there are no errors
  std::vector<Diagnostic> errors;  // sorted by position
};

// Loads a runbook from a file (size-capped, hostile input safe).
LoadResult load_runbook_file(const std::string& path);

// Loads a runbook from text; `file` names it in diagnostics.
LoadResult load_runbook_text(std::string_view text, const std::string& file);

// "file:line:col: path: message"
std::string format_diagnostic(const Diagnostic& d);

}  // namespace golive
