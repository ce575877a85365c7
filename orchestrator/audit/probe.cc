#include "orchestrator/audit/probe.h"

#include <algorithm>
#include <cctype>

namespace golive {

std::optional<HttpResponse> Probe::send(HttpRequest req) {
  if (sent_ >= kAuditMaxRequests) {
    error_ = {"the audit's request budget (" + std::to_string(kAuditMaxRequests) + ") is spent"};
    return std::nullopt;
  }
  ++sent_;
  req.timeout = timeout_;
  req.ca_file = ca_file_;
  auto r = http_fetch(req);
  if (!r) {
    error_ = r.error();
    return std::nullopt;
  }
  error_ = {};
  return std::move(*r);
}

std::optional<HttpResponse> Probe::get(const std::string& url,
                                       const std::vector<std::string>& cookies,
                                       const std::string& method,
                                       std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest req;
  req.headers = std::move(headers);
  req.method = method == "HEAD" ? "HEAD" : "GET";
  req.url = url;
  req.cookies = cookies;
  return send(std::move(req));
}

std::optional<HttpResponse> Probe::post_form(
    const std::string& url, const std::vector<std::pair<std::string, std::string>>& fields) {
  HttpRequest req;
  req.method = "POST";
  req.url = url;
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  req.body = form_encode(fields);
  return send(std::move(req));
}

std::string url_origin(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  const auto slash = url.find_first_of("/?#", scheme + 3);
  return url.substr(0, slash);
}

std::string url_authority(const std::string& url) {
  const std::string origin = url_origin(url);
  const auto scheme = origin.find("://");
  if (scheme == std::string::npos) return {};
  std::string a = origin.substr(scheme + 3);
  if (const auto at = a.rfind('@'); at != std::string::npos) a = a.substr(at + 1);
  return a;
}

std::string header_values(const HttpResponse& r, std::string_view name) {
  std::string out;
  const std::string want = to_lower(name);
  for (const auto& h : r.headers) {
    if (to_lower(h.name) == want) out += (out.empty() ? "" : ", ") + h.value;
  }
  return out;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace golive
