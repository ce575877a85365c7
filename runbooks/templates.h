// Starting runbooks for `golive init [--template NAME]`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace golive {

// One file `golive init` writes, relative to the repository root.
struct InitFile {
  std::string path;  // "golive.yml", ".env.example"
  std::string content;
};

// Template names, the default ("web") first.
std::vector<std::string> init_template_names();

// The files of template `name` (golive.yml and .env.example); nullopt for an unknown name.
std::optional<std::vector<InitFile>> init_template(std::string_view name);

}  // namespace golive
