#include "golive/redactor.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <unordered_map>

#include "orchestrator/adapters/crypto/encoding.h"
#include "orchestrator/adapters/regex/regex.h"

namespace golive {

namespace {

// Values shorter than this are not secrets worth redacting (they would redact noise).
constexpr std::size_t kMinSecret = 4;
// Alignment cores shorter than this would match random base64 by chance.
constexpr std::size_t kMinCore = 6;

std::string to_url_safe(std::string s) {
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return s;
}

std::string strip_padding(std::string s) {
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view value, bool lower_hex, bool plus_for_space) {
  const char* hex = lower_hex ? "0123456789abcdef" : "0123456789ABCDEF";
  std::string out;
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else if (c == ' ' && plus_for_space) {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// The base64 characters that depend only on `value` when it starts `offset` bytes (0..2) into a
// 3-byte group of a longer stream: drop the characters mixed with the bytes before and after.
std::string base64_core(std::string_view value, std::size_t offset) {
  std::string padded(offset, '\0');
  padded.append(value);
  std::string enc = strip_padding(base64_encode(padded));
  std::size_t skip = offset == 0 ? 0 : offset + 1;
  bool mixed_tail = padded.size() % 3 != 0;
  if (enc.size() <= skip + (mixed_tail ? 1 : 0)) return "";
  return enc.substr(skip, enc.size() - skip - (mixed_tail ? 1 : 0));
}

}  // namespace

std::vector<SecretForm> secret_forms(std::string_view value) {
  std::vector<SecretForm> forms;
  auto push = [&](std::string text, const char* kind) {
    if (text.empty()) return;
    for (const auto& f : forms) {
      if (f.text == text) return;
    }
    forms.push_back({std::move(text), kind});
  };
  push(std::string(value), "raw");
  std::string b64 = base64_encode(value);
  push(b64, "base64");
  push(strip_padding(b64), "base64");
  push(to_url_safe(b64), "base64url");
  push(to_url_safe(strip_padding(b64)), "base64url");
  for (std::size_t offset = 0; offset < 3; ++offset) {
    std::string core = base64_core(value, offset);
    if (core.size() < kMinCore) continue;
    push(core, "base64");
    push(to_url_safe(core), "base64url");
  }
  push(percent_encode(value, false, false), "url-encoded");
  push(percent_encode(value, true, false), "url-encoded");
  push(percent_encode(value, false, true), "url-encoded");
  push(percent_encode(value, true, true), "url-encoded");
  std::stable_sort(forms.begin(), forms.end(),
                   [](const auto& a, const auto& b) { return a.text.size() > b.text.size(); });
  return forms;
}

// All forms as one regex alternation of escaped literals, longest first, so one scan finds the
// longest form at each position however many secrets there are.
struct Redactor::Matcher {
  std::optional<Regex> re;
  std::unordered_map<std::string, std::string> name_of;  // form -> NAME (first registered wins)
};

Redactor::Redactor(const Redactor& other) {
  std::lock_guard lock(other.mu_);
  forms_ = other.forms_;
  longest_ = other.longest_;
  matcher_ = other.matcher_;
}

Redactor& Redactor::operator=(const Redactor& other) {
  if (this == &other) return *this;
  std::scoped_lock lock(mu_, other.mu_);
  forms_ = other.forms_;
  longest_ = other.longest_;
  matcher_ = other.matcher_;
  return *this;
}

void Redactor::add(const std::string& name, const std::string& value) {
  if (value.size() < kMinSecret) return;
  std::lock_guard lock(mu_);
  for (auto& form : secret_forms(value)) {
    longest_ = std::max(longest_, form.text.size());
    forms_.emplace_back(std::move(form.text), name);
  }
  matcher_.reset();
}

std::shared_ptr<const Redactor::Matcher> Redactor::matcher() const {
  std::lock_guard lock(mu_);
  if (matcher_ || forms_.empty()) return matcher_;
  auto m = std::make_shared<Matcher>();
  std::vector<const std::string*> sorted;
  for (const auto& [form, name] : forms_) {
    if (m->name_of.emplace(form, name).second) sorted.push_back(&form);
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->size() > b->size(); });
  std::string pattern;
  for (const auto* form : sorted) {
    if (!pattern.empty()) pattern += '|';
    pattern += Regex::quote_meta(*form);
  }
  RegexOptions options;
  options.encoding = RegexOptions::Encoding::kLatin1;  // secrets are bytes, not UTF-8 text
  options.longest_match = true;
  options.max_mem = std::int64_t{256} << 20;
  auto re = Regex::compile("(" + pattern + ")", options);
  if (!re) {
    // Escaped literals always compile; this is a bug or an absurd number of secrets.
    throw std::runtime_error("redactor: cannot compile secret matcher: " + re.error().message);
  }
  m->re = std::move(*re);
  matcher_ = m;
  return matcher_;
}

std::vector<Redactor::Region> Redactor::regions(std::string_view text) const {
  std::vector<Region> out;
  auto m = matcher();
  if (!m) return out;
  std::size_t pos = 0;
  // Restart one byte after each match start, so overlapping secrets are all found.
  while (pos < text.size()) {
    auto match = m->re->find(text, pos);
    if (!match) break;
    const std::size_t begin = match->begin;
    const std::size_t end = match->end;
    const std::string& name = m->name_of.at(std::string(text.substr(begin, end - begin)));
    if (!out.empty() && begin < out.back().end) {
      // Overlapping: a match wholly inside the region adds nothing; one reaching past it adds
      // its name, so the label says which secrets met there.
      Region& r = out.back();
      if (end > r.end) {
        r.end = end;
        if (std::find(r.names.begin(), r.names.end(), name) == r.names.end()) {
          r.names.push_back(name);
        }
      }
    } else {
      out.push_back({begin, end, {name}});
    }
    pos = begin + 1;
  }
  return out;
}

std::string Redactor::replace(std::string_view text, const std::vector<Region>& regions) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  for (const auto& r : regions) {
    out.append(text.substr(at, r.begin - at));
    for (const auto& name : r.names) out += "[REDACTED:" + name + "]";
    at = r.end;
  }
  out.append(text.substr(at));
  return out;
}

std::string Redactor::redact(std::string_view text) const {
  if (empty()) return std::string(text);
  return replace(text, regions(text));
}

StreamRedactor::StreamRedactor(const Redactor& redactor, std::function<void(std::string_view)> sink)
    : redactor_(redactor), sink_(std::move(sink)) {}

void StreamRedactor::write(std::string_view chunk) {
  pending_.append(chunk);
  if (redactor_.empty()) {
    flush();
    return;
  }
  const std::size_t hold = redactor_.longest() - 1;
  if (pending_.size() <= hold) return;
  // Every match starting before `cut` lies wholly inside pending_; one straddling `cut` (or
  // overlapping one that does) may still grow, so keep it back whole.
  std::size_t cut = pending_.size() - hold;
  auto regions = redactor_.regions(pending_);
  std::vector<Redactor::Region> done;
  for (auto& r : regions) {
    if (r.end <= cut) {
      done.push_back(std::move(r));
    } else {
      cut = std::min(cut, r.begin);
      break;
    }
  }
  if (cut == 0) return;
  std::string out = Redactor::replace(std::string_view(pending_).substr(0, cut), done);
  pending_.erase(0, cut);
  sink_(out);
}

void StreamRedactor::flush() {
  if (pending_.empty()) return;
  std::string out = redactor_.redact(pending_);
  pending_.clear();
  sink_(out);
}

bool looks_secret_name(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* word :
       {"KEY", "SECRET", "TOKEN", "PASSWORD", "PASS", "PRIVATE", "CREDENTIAL", "DSN"}) {
    if (upper.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace golive
