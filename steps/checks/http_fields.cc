// Directive lists and cookie-jar lines of HTTP responses, for the checks.
#include "steps/checks/http_fields.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace golive {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> header_directives(std::string_view header) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view item = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    std::string value(eq == std::string_view::npos ? "" : trim(item.substr(eq + 1)));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    out.emplace_back(lower(trim(item.substr(0, eq))), value);
  }
  return out;
}

const std::string* find_directive(const std::vector<std::pair<std::string, std::string>>& d,
                                  std::string_view name) {
  for (const auto& [k, v] : d) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::optional<JarCookie> parse_cookie_jar_line(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  for (std::string f; std::getline(in, f, '\t');) fields.push_back(f);
  if (fields.size() < 7) return std::nullopt;
  return JarCookie{fields[5], fields[3] == "TRUE", fields[0].starts_with("#HttpOnly_")};
}

}  // namespace golive
