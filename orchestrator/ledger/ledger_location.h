// Where a ledger lives: a file path (SQLite) or a postgresql:// URL (a shared server), and the
// URL's printable form. Nothing here talks to a database.
#pragma once

#include <string>

namespace golive {

// True for postgres:// and postgresql:// URLs (libpq's URI forms); anything else is a path.
bool is_ledger_url(const std::string& location);

// The location fit for messages, logs and records: a URL's password (user:PASSWORD@ or
// ?password=...) replaced by "***". Paths are returned unchanged.
std::string redacted_ledger(const std::string& location);

// The password embedded in a URL (percent-decoded), "" when none; the CLI adds it to the
// Redactor so it can never leak even through a library's message.
std::string ledger_url_password(const std::string& location);

}  // namespace golive
