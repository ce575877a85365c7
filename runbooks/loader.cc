#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "golive/runbook_loader.h"
#include "orchestrator/adapters/crypto/sha256.h"
#include "orchestrator/adapters/yaml/yaml_tree.h"
#include "runbooks/diagnostics.h"
#include "runbooks/env_example.h"
#include "runbooks/runbook_schema.h"
#include "runbooks/template_check.h"
#include "runbooks/text_check.h"

namespace golive {
namespace {

namespace fs = std::filesystem;

// A runbook is a page or two of YAML; anything this big is a mistake or an attack.
constexpr std::size_t kMaxRunbookBytes = 1 << 20;

LoadResult only_error(const std::string& file, std::string message) {
  LoadResult result;
  result.errors.push_back(Diagnostic{file, 0, 0, "", std::move(message)});
  return result;
}

// The runbook's directory: relative files (env.example, env files) are read from there.
std::string directory_of(const std::string& file) {
  const fs::path parent = fs::path(file).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

// Names env.NAME may reference: env.required names and the example file's keys.
std::set<std::string> declared_env_names(const ParsedRunbook& parsed, const std::string& dir,
                                         Diagnostics& diags, bool& known) {
  std::set<std::string> names;
  for (const auto& req : parsed.runbook.env.required) names.insert(req.name);
  known = true;
  const std::string& example = parsed.runbook.env.example;
  if (example.empty()) return names;
  const fs::path path =
      fs::path(example).is_absolute() ? fs::path(example) : fs::path(dir) / example;
  auto keys = read_env_example_keys(path.string());
  if (!keys) {
    diags.error(parsed.env_example_pos, "env.example", keys.error().message);
    known = false;
    return names;
  }
  names.insert(keys->begin(), keys->end());
  return names;
}

}  // namespace

LoadResult load_runbook_text(std::string_view text, const std::string& file) {
  if (text.size() > kMaxRunbookBytes) {
    return only_error(file, "runbook is larger than 1 MiB (" + std::to_string(text.size()) +
                                " bytes); refusing to parse it");
  }
  Diagnostics diags(file);
  LoadResult result;
  if (!check_text(text, diags)) {
    result.errors = diags.take_sorted();
    return result;
  }
  std::vector<YamlProblem> yaml_problems;
  const auto root = parse_yaml(text, yaml_problems);
  for (auto& problem : yaml_problems) diags.error(problem.pos, "", std::move(problem.message));
  if (!root) {
    result.errors = diags.take_sorted();
    return result;
  }
  ParsedRunbook parsed = read_runbook_schema(*root, diags);
  if (!parsed.fatal) {
    const std::string dir = directory_of(file);
    bool env_known = true;
    const auto declared = declared_env_names(parsed, dir, diags, env_known);
    check_templates(parsed, declared, env_known, diags);
    parsed.runbook.file = file;
    parsed.runbook.dir = dir;
    parsed.runbook.content_hash = sha256_hex(text);
  }
  if (diags.empty()) {
    result.runbook = std::move(parsed.runbook);
  } else {
    result.errors = diags.take_sorted();
  }
  return result;
}

LoadResult load_runbook_file(const std::string& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!fs::exists(status)) return only_error(path, "cannot read runbook: no such file");
  if (ec) return only_error(path, "cannot read runbook: " + ec.message());
  if (fs::is_directory(status)) return only_error(path, "is a directory, not a runbook file");
  if (fs::is_regular_file(status)) {
    const auto size = fs::file_size(path, ec);
    if (!ec && size > kMaxRunbookBytes) {
      return only_error(path, "runbook is larger than 1 MiB (" + std::to_string(size) +
                                  " bytes); refusing to read it");
    }
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return only_error(path, std::string("cannot read runbook: ") + std::strerror(errno));
  // Read at most one byte past the cap: devices and growing files are refused without reading
  // them whole.
  std::string text(kMaxRunbookBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return only_error(path, "cannot read runbook: read error");
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxRunbookBytes) {
    return only_error(path, "runbook is larger than 1 MiB; refusing to read it");
  }
  return load_runbook_text(text, path);
}

}  // namespace golive
