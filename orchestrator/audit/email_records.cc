#include "orchestrator/audit/email_records.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

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

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const auto at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

// The tag=value pairs of a DMARC/DKIM record, names lowercased.
std::vector<std::pair<std::string, std::string>> tags(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto part : split(text, ';')) {
    part = trim(part);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(lower(part), "");
    } else {
      out.emplace_back(lower(trim(part.substr(0, eq))), std::string(trim(part.substr(eq + 1))));
    }
  }
  return out;
}

}  // namespace

std::optional<SpfRecord> parse_spf(std::string_view text) {
  text = trim(text);
  if (lower(text.substr(0, 6)) != "v=spf1" || (text.size() > 6 && text[6] != ' ')) {
    return std::nullopt;
  }
  SpfRecord out;
  constexpr std::array<std::string_view, 8> kKnown{"all", "include", "a",   "mx",
                                                   "ptr", "ip4",     "ip6", "exists"};
  for (auto term : split(text.substr(6), ' ')) {
    if (term.empty()) continue;
    std::string t = lower(term);
    if (t.starts_with("redirect=")) {
      ++out.lookups;
      continue;
    }
    if (t.starts_with("exp=")) continue;
    std::string qualifier = "+";
    if (t.front() == '+' || t.front() == '-' || t.front() == '~' || t.front() == '?') {
      qualifier = t.substr(0, 1);
      t.erase(0, 1);
    }
    const std::string name = t.substr(0, t.find_first_of(":/"));
    if (std::ranges::find(kKnown, name) == kKnown.end()) {
      out.errors.push_back("unknown term `" + std::string(term) + "`");
      continue;
    }
    if (name == "all") {
      out.all = qualifier;
    } else if (name == "include" || name == "a" || name == "mx" || name == "ptr" ||
               name == "exists") {
      ++out.lookups;
    }
  }
  return out;
}

std::optional<DmarcRecord> parse_dmarc(std::string_view text) {
  const auto t = tags(text);
  if (t.empty() || t.front().first != "v" || t.front().second != "DMARC1") return std::nullopt;
  DmarcRecord out;
  for (const auto& [k, v] : t) {
    if (k == "p") {
      out.policy = lower(v);
      if (out.policy != "none" && out.policy != "quarantine" && out.policy != "reject") {
        out.errors.push_back("unknown policy p=" + v);
      }
    } else if (k == "rua") {
      out.rua = v;
    } else if (k == "pct") {
      int pct = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), pct);
      if (ec != std::errc{} || p != v.data() + v.size() || pct < 0 || pct > 100) {
        out.errors.push_back("pct=" + v + " is not 0-100");
      } else {
        out.pct = pct;
      }
    }
  }
  return out;
}

bool is_dkim_key(std::string_view text) {
  for (const auto& [k, v] : tags(text)) {
    if (k == "p") return !v.empty();
  }
  return false;
}

}  // namespace golive
