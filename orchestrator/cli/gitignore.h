// `golive init` keeps golive's local state (.golive/: ledger, log) out of the user's commits.
#pragma once

#include <string>

#include "golive/error.h"

namespace golive {

// Appends ".golive/" to `dir`/.gitignore (creating it) unless a line already ignores it.
Status ignore_golive_dir(const std::string& dir);

}  // namespace golive
