#include "runbooks/env_example.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace golive {

std::vector<std::string> dotenv_keys(std::string_view text) {
  std::vector<std::string> keys;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("export ")) line.remove_prefix(7);
    const std::size_t eq = line.find('=');
    std::string_view key = line.substr(0, eq);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t' || key.back() == '\r')) {
      key.remove_suffix(1);
    }
    if (!key.empty()) keys.emplace_back(key);
  }
  return keys;
}

Result<std::vector<std::string>> read_env_example_keys(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot read env example file " + path + ": " + std::strerror(errno));
  std::string text(kMaxEnvExampleBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return fail("cannot read env example file " + path);
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxEnvExampleBytes) {
    return fail("env example file " + path + " is larger than 1 MiB");
  }
  return dotenv_keys(text);
}

}  // namespace golive
