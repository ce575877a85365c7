// Quoting for POSIX sh: the one way a value is put on a command line (rendered runbook commands,
// the release layout, the lock, the SSH adapter).
#pragma once

#include <string>
#include <string_view>

namespace golive {

// Single-quotes a value for POSIX sh: the shell sees exactly `value`, whatever it holds.
std::string shell_quote(std::string_view value);

}  // namespace golive
