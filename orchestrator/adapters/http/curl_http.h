// The libcurl wrapper for smoke checks: HTTP(S) requests, SMTP submissions and TLS probes.
// steps/curl_http.cc is the only code that creates curl easy handles for checks.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "golive/duration.h"

namespace golive {

// Why no answer came back (refused, DNS, timeout, TLS handshake), or why it could not be trusted.
struct TransportFailure {
  std::string message;            // curl's precise text, e.g. "Failed to connect to ... refused"
  bool tls_verification = false;  // the peer answered but its certificate failed verification
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;  // sent when set
  bool follow = false;              // follow redirects (at most 10)
  Millis timeout = std::chrono::seconds(10);
  std::string ca_file;               // extra trust anchor file; empty: system store
  bool insecure = false;             // skip TLS verification (only when explicitly asked)
  std::vector<std::string> cookies;  // Netscape cookie-file lines to send (a stored session)
};

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpResponse {
  long status = 0;
  std::vector<HttpHeader> headers;  // of the final response
  std::string body;                 // at most the first 1 MiB
  Millis latency{0};
  std::string redirect_url;          // absolute Location of a 3xx that was not followed
  std::vector<std::string> cookies;  // the cookie jar after the transfer, Netscape lines

  // First value of a header (case-insensitive name), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
};

// Performs one HTTP(S) request; an error only when no trustworthy answer arrived.
std::expected<HttpResponse, TransportFailure> http_fetch(const HttpRequest& request);

// application/x-www-form-urlencoded body of the fields, in order.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

// The URL without user:password, for messages; the input unchanged when unparseable.
std::string display_url(const std::string& url);

// The path of a URL ("/login"), or empty when unparseable.
std::string url_path(const std::string& url);

struct SmtpRequest {
  std::string url;  // smtp://host:port or smtps://host:port
  std::string from;
  std::string to;
  std::string user;  // AUTH only when set
  std::string password;
  bool require_starttls = true;  // smtp://: refuse to continue without STARTTLS
  std::string ca_file;
  std::string message;  // RFC 5322 text with CRLF line ends
  Millis timeout = std::chrono::seconds(10);
};

// Outcome of one SMTP transaction: the relay's last reply, or why it did not finish.
struct SmtpOutcome {
  bool accepted = false;   // the relay answered 250 to the end of DATA
  bool transport = false;  // no answer (refused, timeout), as opposed to a refusal
  long last_code = 0;      // last SMTP reply code seen (e.g. 250, 535, 550)
  std::string error;       // curl's message when not accepted
};

SmtpOutcome smtp_send(const SmtpRequest& request);

// A verified (or, with verify=false, unverified) TLS connection's peer certificates, leaf first.
struct TlsPeer {
  std::vector<std::string> chain_pem;
  Millis latency{0};
};

std::expected<TlsPeer, TransportFailure> tls_probe(const std::string& url,
                                                   const std::string& ca_file, bool verify,
                                                   Millis timeout);

}  // namespace golive
