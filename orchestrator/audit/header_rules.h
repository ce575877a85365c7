// Parsers for the response headers the audit judges (HSTS, Set-Cookie, version leaks, CSP,
// cacheability) and the HTML it scans for mixed content.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace golive {

// max-age of a Strict-Transport-Security value, in seconds; nullopt when absent or malformed.
std::optional<long long> hsts_max_age(std::string_view value);

struct SetCookie {
  std::string name;
  bool secure = false;
  bool http_only = false;
  std::string same_site;  // lowercase: strict, lax, none; empty when not set
};

// One Set-Cookie header value.
SetCookie parse_set_cookie(std::string_view value);

// True when a Server / X-Powered-By value names a version ("nginx/1.18.0", "PHP/8.1").
bool leaks_version(std::string_view value);

// True when the CSP sets frame-ancestors.
bool csp_has_frame_ancestors(std::string_view csp);

// Cache-Control directive names and values, lowercase names.
std::vector<std::pair<std::string, std::string>> cache_directives(std::string_view value);

// Whether a Cache-Control value lets a shared cache store the response.
bool shared_cacheable(std::string_view cache_control);

// http:// URLs loaded as subresources (src=, href= of stylesheets, CSS url()) in `html`, at most
// `max`. Plain <a href="http://..."> links are navigation, not mixed content.
std::vector<std::string> mixed_content(std::string_view html, std::size_t max = 10);

}  // namespace golive
