// The access-control matrix: each named session logs in, then every rule's URL is fetched with
// every session; the allowed ones must be served, every other one refused. Shared by the `access`
// gate check and `golive audit`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "golive/duration.h"
#include "golive/launch.h"

namespace golive {

// A form login's outcome: the cookie jar (Netscape lines) of a session, or why there is none.
struct LoginOutcome {
  std::vector<std::string> cookies;
  std::string error;  // empty: logged in
  bool transport = false;
  Millis latency{0};
  long status = 0;
};

// POSTs `user`/`password` as a form to `url` and keeps the cookies it sets; an error when the
// login is refused or sets no cookie.
LoginOutcome form_login(const std::string& url, const std::string& user_field,
                        const std::string& user, const std::string& password_field,
                        const std::string& password, const std::string& ca_file, Millis timeout);

// One cell of the matrix that does not hold.
struct AccessViolation {
  std::string url;
  std::string session;
  bool allowed = false;  // true: an allowed session was refused; false: a stranger was served
  long status = 0;
  std::string detail;  // e.g. "got 200 (expected 401/403/404 or a redirect to the login)"
};

struct AccessOutcome {
  std::vector<AccessViolation> violations;
  std::vector<std::string> errors;  // logins that failed, unreachable URLs
  int requests = 0;
  bool transport = false;
};

// The most requests one matrix run sends (logins included); larger matrices are cut and say so.
inline constexpr int kAccessMaxRequests = 200;

// Runs the matrix; each request bounded by `timeout`.
AccessOutcome evaluate_access(const AccessCheck& spec, Millis timeout);

}  // namespace golive
