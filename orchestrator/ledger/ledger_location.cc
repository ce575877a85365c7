#include "orchestrator/ledger/ledger_location.h"

#include <cctype>
#include <vector>

namespace golive {
namespace {

struct PasswordSpan {
  std::size_t begin = std::string::npos;
  std::size_t end = std::string::npos;
};

// Spans of the password in `user:PASSWORD@host` and in every `password=...` query parameter.
std::vector<PasswordSpan> password_spans(const std::string& url) {
  std::vector<PasswordSpan> spans;
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return spans;
  std::size_t authority = scheme + 3;
  std::size_t authority_end = url.find_first_of("/?", authority);
  if (authority_end == std::string::npos) authority_end = url.size();
  std::size_t at = url.rfind('@', authority_end);
  if (at != std::string::npos && at >= authority) {
    std::size_t colon = url.find(':', authority);
    if (colon != std::string::npos && colon < at) spans.push_back({colon + 1, at});
  }
  std::size_t query = url.find('?', authority);
  while (query != std::string::npos) {
    std::size_t key = query + 1;
    std::size_t next = url.find('&', key);
    std::size_t value_end = next == std::string::npos ? url.size() : next;
    if (url.compare(key, 9, "password=") == 0) spans.push_back({key + 9, value_end});
    query = next;
  }
  return spans;
}

std::string percent_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace

bool is_ledger_url(const std::string& location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::string redacted_ledger(const std::string& location) {
  if (!is_ledger_url(location)) return location;
  std::string out = location;
  auto spans = password_spans(location);
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    out.replace(it->begin, it->end - it->begin, "***");
  }
  return out;
}

std::string ledger_url_password(const std::string& location) {
  if (!is_ledger_url(location)) return "";
  auto spans = password_spans(location);
  if (spans.empty()) return "";
  return percent_decode(
      location.substr(spans.front().begin, spans.front().end - spans.front().begin));
}

}  // namespace golive
