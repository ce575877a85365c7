#include "orchestrator/insight/release_fingerprint.h"

#include <cctype>
#include <sstream>

#include "orchestrator/adapters/crypto/hmac.h"
#include "orchestrator/adapters/crypto/sha256.h"

namespace golive {

std::string env_fingerprint_key(const std::string& app, const std::string& environment) {
  return "golive env fingerprint v1\n" + app + "\n" + environment;
}

std::map<std::string, std::string> env_fingerprints(
    const std::string& app, const std::string& environment,
    const std::map<std::string, std::string>& values) {
  const std::string key = env_fingerprint_key(app, environment);
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : values) {
    out[name] = hmac_sha256_hex(key, name + "=" + value).substr(0, 8);
  }
  return out;
}

std::map<std::string, std::string> runbook_section_hashes(const std::string& runbook_text) {
  std::map<std::string, std::string> text_of;
  std::string current;  // lines before the first key (a header comment) belong to no section
  std::istringstream in(runbook_text);
  std::string line;
  while (std::getline(in, line)) {
    const bool top_level_key =
        !line.empty() && (std::isalpha(static_cast<unsigned char>(line[0])) || line[0] == '_') &&
        line.find(':') != std::string::npos;
    if (top_level_key) current = line.substr(0, line.find(':'));
    if (current.empty()) continue;
    text_of[current] += line + "\n";
  }
  std::map<std::string, std::string> out;
  for (auto& [name, text] : text_of) {
    // Trailing blank lines separate sections; they are not part of one.
    while (text.size() >= 2 && text[text.size() - 1] == '\n' && text[text.size() - 2] == '\n') {
      text.pop_back();
    }
    out[name] = sha256_hex(text).substr(0, 12);
  }
  return out;
}

}  // namespace golive
