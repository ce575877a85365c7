// The HTTP response fields checks read themselves (curl parses the status line and headers):
// Cache-Control / Vary directive lists and curl cookie-jar lines. Both come from the app under
// test, so both must take any bytes (fuzzed by tests/fuzz/fuzz_http_fields.cc).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace golive {

// Cache-Control / Vary directives: lowercase name -> value ("" when none, quotes removed).
std::vector<std::pair<std::string, std::string>> header_directives(std::string_view header);

// The value of directive `name` in `d`, or nullptr.
const std::string* find_directive(const std::vector<std::pair<std::string, std::string>>& d,
                                  std::string_view name);

// One line of curl's cookie jar (Netscape format), as far as a login check cares.
struct JarCookie {
  std::string name;
  bool secure = false;
  bool http_only = false;
};

// The cookie a jar line holds; nullopt for comments and short lines.
std::optional<JarCookie> parse_cookie_jar_line(const std::string& line);

}  // namespace golive
