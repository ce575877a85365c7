// Every request the audit sends goes through one Probe: GET/HEAD only (logins and the password
// reset use post_form), each bounded by a timeout, all together by a request budget.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "golive/duration.h"
#include "orchestrator/adapters/http/curl_http.h"

namespace golive {

// The most requests one `golive audit` sends (documented in docs/launch-readiness.md).
inline constexpr int kAuditMaxRequests = 400;

class Probe {
 public:
  Probe(std::string ca_file, Millis timeout) : ca_file_(std::move(ca_file)), timeout_(timeout) {}

  // One GET (or HEAD) without following redirects; nullopt with `error` set when no trustworthy
  // answer came or the budget is spent.
  std::optional<HttpResponse> get(const std::string& url,
                                  const std::vector<std::string>& cookies = {},
                                  const std::string& method = "GET",
                                  std::vector<std::pair<std::string, std::string>> headers = {});
  // One POST of a form (the auth checks only).
  std::optional<HttpResponse> post_form(
      const std::string& url, const std::vector<std::pair<std::string, std::string>>& fields);
  // The last request's transport failure (empty after a success).
  const TransportFailure& error() const { return error_; }
  int sent() const { return sent_; }
  // Counts requests made elsewhere (the access matrix, TLS probes) against the same budget.
  void charge(int n) { sent_ += n; }
  const std::string& ca_file() const { return ca_file_; }
  Millis timeout() const { return timeout_; }

 private:
  std::optional<HttpResponse> send(HttpRequest req);

  std::string ca_file_;
  Millis timeout_;
  int sent_ = 0;
  TransportFailure error_;
};

// "https://host:port" of a URL (scheme and authority), or "" when it has none.
std::string url_origin(const std::string& url);
// The host[:port] of a URL.
std::string url_authority(const std::string& url);
// Every value of a header, comma-joined.
std::string header_values(const HttpResponse& r, std::string_view name);
// Lowercase copy.
std::string to_lower(std::string_view s);

}  // namespace golive
