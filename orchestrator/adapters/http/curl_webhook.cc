#include "orchestrator/adapters/http/curl_webhook.h"

#include <curl/curl.h>

#include <thread>

namespace golive {
namespace {

size_t discard(char*, size_t size, size_t n, void*) {
  return size * n;
}

Status post_once(const std::string& url, const std::string& json) {
  CURL* curl = curl_easy_init();
  if (!curl) return fail("webhook: cannot initialise libcurl", ExitCode::kInfra);
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(json.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  // The URL may embed a token (Slack webhooks do): never echo it.
  if (rc != CURLE_OK)
    return fail(std::string("webhook: ") + curl_easy_strerror(rc), ExitCode::kInfra);
  if (status < 200 || status >= 300) {
    return fail("webhook: HTTP status " + std::to_string(status), ExitCode::kInfra);
  }
  return {};
}

}  // namespace

Status post_webhook(const std::string& url, const std::string& json) {
  Status first = post_once(url, json);
  if (first) return first;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  return post_once(url, json);
}

}  // namespace golive
