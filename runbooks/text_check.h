// Byte-level checks before YAML parsing: the runbook must be UTF-8 text without control characters.
#pragma once

#include <string_view>

#include "runbooks/diagnostics.h"

namespace golive {

// Reports the first invalid UTF-8 sequence or non-printable character (with its line:col) and
// returns false; true when the text is clean. A leading UTF-8 byte order mark is allowed.
bool check_text(std::string_view text, Diagnostics& diags);

// Position (1-based line and byte column) of byte `offset` in `text`.
SourcePos position_of(std::string_view text, std::size_t offset);

}  // namespace golive
