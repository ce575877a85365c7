#include "orchestrator/adapters/regex/regex.h"

#include <re2/re2.h>
#include <re2/set.h>

namespace golive {

namespace {

RE2::Options to_re2(const RegexOptions& o) {
  RE2::Options options;
  options.set_log_errors(false);  // errors are returned as data, never printed by the library
  if (o.encoding == RegexOptions::Encoding::kLatin1) {
    options.set_encoding(RE2::Options::EncodingLatin1);
  }
  options.set_longest_match(o.longest_match);
  if (o.max_mem > 0) options.set_max_mem(o.max_mem);
  return options;
}

re2::StringPiece piece(std::string_view s) {
  return {s.data(), s.size()};
}

}  // namespace

struct Regex::Impl {
  Impl(std::string_view pattern, const RegexOptions& options)
      : re(piece(pattern), to_re2(options)) {}
  RE2 re;
};

Result<Regex> Regex::compile(std::string_view pattern, const RegexOptions& options) {
  auto impl = std::make_shared<const Impl>(pattern, options);
  if (!impl->re.ok()) return fail(impl->re.error());
  return Regex(std::move(impl));
}

bool Regex::full_match(std::string_view text) const {
  return RE2::FullMatch(piece(text), impl_->re);
}

bool Regex::partial_match(std::string_view text) const {
  return RE2::PartialMatch(piece(text), impl_->re);
}

std::optional<RegexMatch> Regex::find(std::string_view text, std::size_t from) const {
  if (from > text.size()) return std::nullopt;
  re2::StringPiece m;
  if (!impl_->re.Match(piece(text), from, text.size(), RE2::UNANCHORED, &m, 1)) {
    return std::nullopt;
  }
  const auto begin = static_cast<std::size_t>(m.data() - text.data());
  return RegexMatch{begin, begin + m.size()};
}

const std::string& Regex::pattern() const {
  return impl_->re.pattern();
}

std::string Regex::quote_meta(std::string_view literal) {
  return RE2::QuoteMeta(piece(literal));
}

struct RegexSet::Impl {
  explicit Impl(const RegexOptions& options) : set(to_re2(options), RE2::UNANCHORED) {}
  RE2::Set set;
};

RegexSet::RegexSet(const RegexOptions& options) : impl_(std::make_unique<Impl>(options)) {}
RegexSet::RegexSet(RegexSet&&) noexcept = default;
RegexSet& RegexSet::operator=(RegexSet&&) noexcept = default;
RegexSet::~RegexSet() = default;

Status RegexSet::add(std::string_view pattern) {
  std::string error;
  if (impl_->set.Add(piece(pattern), &error) < 0) return fail(error);
  return {};
}

Status RegexSet::compile() {
  if (!impl_->set.Compile()) return fail("out of memory compiling the pattern set");
  return {};
}

RegexSet::Outcome RegexSet::match(std::string_view text, std::vector<int>& ids) const {
  RE2::Set::ErrorInfo info{};
  if (impl_->set.Match(piece(text), &ids, &info)) return Outcome::kHit;
  return info.kind == RE2::Set::kNoError ? Outcome::kNone : Outcome::kOutOfMemory;
}

}  // namespace golive
