#include "runbooks/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "runbooks/suggest.h"

namespace golive {

std::string child_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

std::string item_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string_view describe(const YamlNode& node) {
  switch (node.kind) {
    case YamlNode::Kind::kNull:
      return "an empty value";
    case YamlNode::Kind::kScalar:
      return "a string";
    case YamlNode::Kind::kSequence:
      return "a list";
    case YamlNode::Kind::kMap:
      return "a mapping";
  }
  return "a value";
}

const YamlEntry* Fields::get(std::string_view key) const {
  for (const auto* e : entries_) {
    if (e->key == key) return e;
  }
  return nullptr;
}

namespace {

std::string at_line(SourcePos pos) {
  return "line " + std::to_string(pos.line) + ":" + std::to_string(pos.col);
}

void wrong_type(const YamlNode& node, const std::string& path, Diagnostics& diags,
                std::string_view expected) {
  diags.error(node.pos, path,
              "expected " + std::string(expected) + ", got " + std::string(describe(node)));
}

}  // namespace

std::optional<Fields> read_fields(const YamlNode& node, const std::string& path,
                                  std::span<const std::string_view> known, Diagnostics& diags,
                                  std::string_view what) {
  if (!node.is_map()) {
    wrong_type(node, path, diags, "a mapping");
    return std::nullopt;
  }
  Fields fields;
  for (const auto& entry : node.entries) {
    const std::string key_path = child_path(path, entry.key);
    if (std::ranges::find(known, std::string_view(entry.key)) == known.end()) {
      std::string message = "unknown " + std::string(what) + " `" + entry.key + "`";
      if (entry.key == "<<") {
        message += ": YAML merge keys are not supported";
      } else {
        message += did_you_mean(entry.key, known);
      }
      diags.error(entry.key_pos, key_path, message);
      continue;
    }
    if (const auto* first = fields.get(entry.key)) {
      diags.error(entry.key_pos, key_path,
                  "duplicate key `" + entry.key + "` (first at " + at_line(first->key_pos) + ")");
      continue;
    }
    fields.add(&entry);
  }
  return fields;
}

std::optional<std::vector<const YamlEntry*>> read_entries(const YamlNode& node,
                                                          const std::string& path,
                                                          Diagnostics& diags,
                                                          std::string_view what) {
  if (!node.is_map()) {
    wrong_type(node, path, diags, "a mapping");
    return std::nullopt;
  }
  std::vector<const YamlEntry*> out;
  std::map<std::string_view, SourcePos> seen;
  for (const auto& entry : node.entries) {
    const auto [it, inserted] = seen.emplace(entry.key, entry.key_pos);
    if (!inserted) {
      diags.error(entry.key_pos, child_path(path, entry.key),
                  "duplicate " + std::string(what) + " `" + entry.key + "` (first at " +
                      at_line(it->second) + ")");
      continue;
    }
    out.push_back(&entry);
  }
  return out;
}

const std::vector<YamlNode>* read_list(const YamlNode& node, const std::string& path,
                                       Diagnostics& diags) {
  if (!node.is_sequence()) {
    wrong_type(node, path, diags, "a list");
    return nullptr;
  }
  return &node.items;
}

std::optional<std::string> read_string(const YamlNode& node, const std::string& path,
                                       Diagnostics& diags) {
  if (!node.is_scalar()) {
    wrong_type(node, path, diags, "a string");
    return std::nullopt;
  }
  if (node.scalar.empty()) {
    diags.error(node.pos, path, "must not be empty");
    return std::nullopt;
  }
  return node.scalar;
}

std::optional<long long> parse_integer(std::string_view text) {
  if (text.starts_with('+')) text.remove_prefix(1);
  long long value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<int> read_int(const YamlNode& node, const std::string& path, Diagnostics& diags,
                            int min, int max) {
  if (!node.is_scalar()) {
    wrong_type(node, path, diags, "an integer");
    return std::nullopt;
  }
  const auto value = parse_integer(node.scalar);
  if (!value) {
    diags.error(node.pos, path, "expected an integer, got `" + node.scalar + "`");
    return std::nullopt;
  }
  if (*value < min || *value > max) {
    diags.error(node.pos, path,
                "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                    ", got " + node.scalar);
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

std::optional<bool> read_bool(const YamlNode& node, const std::string& path, Diagnostics& diags) {
  if (node.is_scalar()) {
    if (node.scalar == "true" || node.scalar == "True" || node.scalar == "TRUE") return true;
    if (node.scalar == "false" || node.scalar == "False" || node.scalar == "FALSE") return false;
    diags.error(node.pos, path, "expected true or false, got `" + node.scalar + "`");
    return std::nullopt;
  }
  wrong_type(node, path, diags, "true or false");
  return std::nullopt;
}

std::optional<Millis> read_duration(const YamlNode& node, const std::string& path,
                                    Diagnostics& diags) {
  if (!node.is_scalar()) {
    wrong_type(node, path, diags, "a duration such as 90s, 10m or 1h30m");
    return std::nullopt;
  }
  const auto d = parse_duration(node.scalar);
  if (!d) {
    diags.error(node.pos, path,
                "invalid duration `" + node.scalar +
                    "`: use whole numbers with units h, m, s, ms, largest first (90s, 10m, 1h30m, "
                    "250ms)");
  }
  return d;
}

std::optional<std::vector<std::string>> read_string_list(const YamlNode& node,
                                                         const std::string& path,
                                                         Diagnostics& diags) {
  const auto* items = read_list(node, path, diags);
  if (items == nullptr) return std::nullopt;
  std::vector<std::string> out;
  bool ok = true;
  for (std::size_t i = 0; i < items->size(); ++i) {
    auto s = read_string((*items)[i], item_path(path, i), diags);
    if (s) {
      out.push_back(std::move(*s));
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::map<std::string, std::string>> read_string_map(const YamlNode& node,
                                                                  const std::string& path,
                                                                  Diagnostics& diags) {
  const auto entries = read_entries(node, path, diags);
  if (!entries) return std::nullopt;
  std::map<std::string, std::string> out;
  for (const auto* e : *entries) {
    const std::string p = child_path(path, e->key);
    if (!e->value.is_scalar()) {
      wrong_type(e->value, p, diags, "a string");
      continue;
    }
    out[e->key] = e->value.scalar;
  }
  return out;
}

}  // namespace golive
