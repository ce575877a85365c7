// Dotenv files (.env, .env.example, .env.production) parsed the way python-dotenv and motdotla
// dotenv read them, with every value remembering the line it came from.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "golive/error.h"

namespace golive {

struct DotenvEntry {
  std::string key;
  std::string value;
  int line = 0;  // 1-based line of `KEY=` (a multi-line value starts there)
};

struct DotenvFile {
  std::vector<DotenvEntry> entries;  // file order; a repeated key keeps its last value and line

  // The entry for `key`, or nullptr.
  const DotenvEntry* find(std::string_view key) const;
};

// Parses dotenv text. `file` names it in errors; `${VAR}` resolves from earlier keys of the text,
// then `process_env`. Every malformed line is reported ("file:line: message", one per line of the
// error message); messages never quote values.
Result<DotenvFile> parse_dotenv(std::string_view text, const std::string& file,
                                const std::map<std::string, std::string>& process_env);

// Reads `path` and parses it; `display` names the file in errors (e.g. the path as the runbook
// wrote it). A missing file is an error too; callers that tolerate it check existence first.
Result<DotenvFile> load_dotenv_file(const std::string& path, const std::string& display,
                                    const std::map<std::string, std::string>& process_env);

}  // namespace golive
