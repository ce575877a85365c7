#include "orchestrator/cli/gitignore.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace golive {

Status ignore_golive_dir(const std::string& dir) {
  const std::filesystem::path path = std::filesystem::path(dir) / ".gitignore";
  std::string text;
  if (std::ifstream in(path); in) {
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line == ".golive" || line == ".golive/" || line == "/.golive" || line == "/.golive/") {
      return {};
    }
  }
  std::ofstream out(path, std::ios::app);
  if (!text.empty() && text.back() != '\n') out << "\n";
  out << "# golive's local ledger and log\n.golive/\n";
  if (!out) return fail("cannot update " + path.string() + " (add .golive/ to it yourself)");
  return {};
}

}  // namespace golive
