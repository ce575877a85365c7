// The keys of a dotenv example file (`env.example`): every key in it is required.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "golive/error.h"

namespace golive {

// Largest env example file read (it lists keys, not data).
inline constexpr std::size_t kMaxEnvExampleBytes = 1 << 20;

// The keys of dotenv text (`KEY=value`, `export KEY=value`; blank lines and `#` comments
// skipped), in order, without values.
std::vector<std::string> dotenv_keys(std::string_view text);

// Reads `path` and returns its keys; error names the file and why it could not be read.
Result<std::vector<std::string>> read_env_example_keys(const std::string& path);

}  // namespace golive
