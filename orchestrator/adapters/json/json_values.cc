#include "orchestrator/adapters/json/json_values.h"

#include <nlohmann/json.hpp>

namespace golive {
namespace {

using nlohmann::json;

// The value at `pointer`, or an error that names only the byte offset / the pointer.
Result<json> value_at(std::string_view text, const std::string& pointer) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail("the output is not valid JSON");
  try {
    const json::json_pointer ptr(pointer);
    if (!doc.contains(ptr)) return fail("the JSON output has no " + pointer);
    return doc.at(ptr);
  } catch (const json::exception&) {
    return fail("the JSON output has no " + pointer);
  }
}

JsonMembers scalar_members(const json& object) {
  JsonMembers out;
  for (const auto& [key, value] : object.items()) {
    if (value.is_string()) {
      out.emplace_back(key, value.get<std::string>());
    } else if (value.is_number() || value.is_boolean()) {
      out.emplace_back(key, value.dump());
    }
  }
  return out;
}

}  // namespace

Result<JsonMembers> json_object_members(std::string_view text, const std::string& pointer) {
  auto v = value_at(text, pointer);
  if (!v) return std::unexpected(v.error());
  if (!v->is_object()) return fail("the JSON output's " + pointer + " is not an object");
  return scalar_members(*v);
}

Result<std::vector<std::map<std::string, std::string>>> json_array_objects(
    std::string_view text, const std::string& pointer) {
  auto v = value_at(text, pointer);
  if (!v) return std::unexpected(v.error());
  if (!v->is_array()) return fail("the JSON output's " + pointer + " is not a list");
  std::vector<std::map<std::string, std::string>> out;
  for (const auto& item : *v) {
    if (!item.is_object()) continue;
    auto members = scalar_members(item);
    out.emplace_back(members.begin(), members.end());
  }
  return out;
}

bool json_has(std::string_view text, const std::string& pointer) {
  return value_at(text, pointer).has_value();
}

}  // namespace golive
