#include "orchestrator/audit/header_rules.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "orchestrator/adapters/regex/regex.h"

namespace golive {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Items separated by `sep`, trimmed, split at the first `=` (names lowercased, quotes removed).
std::vector<std::pair<std::string, std::string>> params(std::string_view s, char sep) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!s.empty()) {
    const auto at = s.find(sep);
    std::string_view item = trim(s.substr(0, at));
    s = at == std::string_view::npos ? std::string_view{} : s.substr(at + 1);
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

}  // namespace

std::optional<long long> hsts_max_age(std::string_view value) {
  for (const auto& [k, v] : params(value, ';')) {
    if (k != "max-age") continue;
    long long n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || p != v.data() + v.size() || n < 0) return std::nullopt;
    return n;
  }
  return std::nullopt;
}

SetCookie parse_set_cookie(std::string_view value) {
  SetCookie c;
  const auto attrs = params(value, ';');
  if (!attrs.empty()) {
    // The first pair is name=value; its name keeps its case.
    const auto eq = value.find('=');
    c.name = std::string(trim(value.substr(0, std::min(eq, value.find(';')))));
  }
  for (std::size_t i = 1; i < attrs.size(); ++i) {
    const auto& [k, v] = attrs[i];
    if (k == "secure") c.secure = true;
    if (k == "httponly") c.http_only = true;
    if (k == "samesite") c.same_site = lower(v);
  }
  return c;
}

bool leaks_version(std::string_view value) {
  static const auto re = Regex::compile(R"([A-Za-z][A-Za-z0-9_.-]*/[0-9]+(\.[0-9]+)*)");
  return re && re->partial_match(value);
}

bool csp_has_frame_ancestors(std::string_view csp) {
  for (const auto& [k, v] : params(csp, ';')) {
    if (k.starts_with("frame-ancestors")) return true;
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> cache_directives(std::string_view value) {
  return params(value, ',');
}

bool shared_cacheable(std::string_view cache_control) {
  bool private_or_no_store = false;
  bool shared = false;
  for (const auto& [k, v] : cache_directives(cache_control)) {
    if (k == "private" || k == "no-store") private_or_no_store = true;
    if (k == "public" || k == "s-maxage") shared = true;
  }
  if (private_or_no_store) return false;
  return shared || !cache_control.empty();
}

std::vector<std::string> mixed_content(std::string_view html, std::size_t max) {
  static const auto re = Regex::compile(
      R"((?i)(?:<(?:script|img|iframe|audio|video|source|embed)\b[^>]*\bsrc|<link\b[^>]*\bhref)\s*=\s*["']?(http://[^"' >]+)|url\(\s*["']?(http://[^"') ]+))");
  std::vector<std::string> out;
  if (!re) return out;
  std::size_t from = 0;
  while (out.size() < max && from < html.size()) {
    const auto m = re->find(html, from);
    if (!m) break;
    const std::string_view seg = html.substr(m->begin, m->end - m->begin);
    const auto at = lower(seg).find("http://");
    if (at != std::string::npos) out.emplace_back(seg.substr(at));
    from = std::max(m->end, m->begin + 1);
  }
  return out;
}

}  // namespace golive
