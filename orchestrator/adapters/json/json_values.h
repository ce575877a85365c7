// Reading flat key/value data out of JSON documents (secret-manager CLI output), backed by
// nlohmann-json. Errors never quote the document: it may hold secrets.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "golive/error.h"

namespace golive {

using JsonMembers = std::vector<std::pair<std::string, std::string>>;

// The members of the object at JSON pointer `pointer` ("" = the root) whose values are scalars:
// strings as they are, numbers and booleans as JSON text; null, arrays and objects are skipped.
Result<JsonMembers> json_object_members(std::string_view text, const std::string& pointer);

// For each object in the array at `pointer`, its scalar members (as json_object_members).
Result<std::vector<std::map<std::string, std::string>>> json_array_objects(
    std::string_view text, const std::string& pointer);

// True when `text` is JSON and has a value at `pointer`.
bool json_has(std::string_view text, const std::string& pointer);

}  // namespace golive
