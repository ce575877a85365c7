#include "golive/interpolate.h"

#include <variant>

#include "golive/shell_quote.h"

namespace golive {
namespace {

struct Literal {
  std::string_view text;
};
struct Reference {
  std::string name;  // trimmed, e.g. "env.SMTP_URL"
};
using Piece = std::variant<Literal, Reference>;

bool is_ident_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_ident_char(char c) {
  return is_ident_start(c) || (c >= '0' && c <= '9');
}

bool is_ident(std::string_view s) {
  if (s.empty() || !is_ident_start(s.front())) return false;
  for (char c : s) {
    if (!is_ident_char(c)) return false;
  }
  return true;
}

// A reference is `name` or `namespace.name`.
bool valid_reference(std::string_view ref) {
  const auto dot = ref.find('.');
  if (dot == std::string_view::npos) return is_ident(ref);
  return is_ident(ref.substr(0, dot)) && is_ident(ref.substr(dot + 1));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits a template into literal text and references. `\{{` is a literal `{{`.
Result<std::vector<Piece>> split(std::string_view tmpl) {
  std::vector<Piece> pieces;
  std::size_t i = 0;
  std::size_t literal_start = 0;
  while (i < tmpl.size()) {
    if (tmpl.substr(i).starts_with("\\{{")) {
      if (i > literal_start)
        pieces.emplace_back(Literal{tmpl.substr(literal_start, i - literal_start)});
      pieces.emplace_back(Literal{tmpl.substr(i + 1, 2)});
      i += 3;
      literal_start = i;
      continue;
    }
    if (!tmpl.substr(i).starts_with("{{")) {
      ++i;
      continue;
    }
    if (i > literal_start)
      pieces.emplace_back(Literal{tmpl.substr(literal_start, i - literal_start)});
    const auto close = tmpl.find("}}", i + 2);
    if (close == std::string_view::npos) {
      return fail("unterminated `{{` (missing `}}`)");
    }
    const auto inner = trim(tmpl.substr(i + 2, close - i - 2));
    if (inner.empty()) return fail("empty reference `{{ }}`");
    if (!valid_reference(inner)) {
      return fail("malformed reference `{{ " + std::string(inner) +
                  " }}`: expected a name such as `base_url`, `env.NAME`, `host.address` or "
                  "`release.dir` (write `\\{{` for a literal `{{`)");
    }
    pieces.emplace_back(Reference{std::string(inner)});
    i = close + 2;
    literal_start = i;
  }
  if (i > literal_start)
    pieces.emplace_back(Literal{tmpl.substr(literal_start, i - literal_start)});
  return pieces;
}

const std::string* lookup(const std::map<std::string, std::string>* map, const std::string& key) {
  if (map == nullptr) return nullptr;
  const auto it = map->find(key);
  return it == map->end() ? nullptr : &it->second;
}

Result<std::string> resolve(const std::string& ref, const TemplateContext& ctx, Quoting quoting) {
  const auto dot = ref.find('.');
  if (dot == std::string::npos) {
    const std::string* value = lookup(ctx.vars, ref);
    if (value == nullptr) return fail("unknown variable `{{ " + ref + " }}` (not in vars)");
    return quoting == Quoting::kShell ? shell_quote(*value) : *value;
  }
  const std::string ns = ref.substr(0, dot);
  const std::string key = ref.substr(dot + 1);
  if (ns == "env") {
    // The value stays off the command line: the remote wrapper exports it from shared/.env.
    if (quoting == Quoting::kShell) return "\"${" + key + "}\"";
    const std::string* value = lookup(ctx.env, key);
    if (value == nullptr)
      return fail("`{{ " + ref + " }}`: " + key + " has no value in the environment");
    return *value;
  }
  const std::map<std::string, std::string>* map = nullptr;
  if (ns == "host") map = &ctx.host;
  if (ns == "release") map = &ctx.release;
  const std::string* value = lookup(map, key);
  if (value == nullptr) return fail("unknown reference `{{ " + ref + " }}`");
  return quoting == Quoting::kShell ? shell_quote(*value) : *value;
}

}  // namespace

Result<std::string> render(std::string_view tmpl, const TemplateContext& ctx, Quoting quoting) {
  GOLIVE_TRY(pieces, split(tmpl));
  std::string out;
  out.reserve(tmpl.size());
  for (const auto& piece : *pieces) {
    if (const auto* lit = std::get_if<Literal>(&piece)) {
      out += lit->text;
      continue;
    }
    GOLIVE_TRY(value, resolve(std::get<Reference>(piece).name, ctx, quoting));
    out += *value;
  }
  return out;
}

Result<std::vector<std::string>> parse_template_references(std::string_view tmpl) {
  GOLIVE_TRY(pieces, split(tmpl));
  std::vector<std::string> refs;
  for (const auto& piece : *pieces) {
    if (const auto* ref = std::get_if<Reference>(&piece)) refs.push_back(ref->name);
  }
  return refs;
}

std::vector<std::string> template_references(std::string_view tmpl) {
  auto refs = parse_template_references(tmpl);
  return refs ? std::move(*refs) : std::vector<std::string>{};
}

}  // namespace golive
