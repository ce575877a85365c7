#include "orchestrator/adapters/http/curl_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>

namespace golive {
namespace {

constexpr std::size_t kMaxBody = 1 << 20;

// curl_global_init is not thread-safe; the gate runs checks on several threads.
void ensure_curl_initialized() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;
using Url = std::unique_ptr<CURLU, UrlDeleter>;

// A fresh easy handle with the settings every check shares: no signals (threads), bounded time,
// and TLS verification unless explicitly disabled.
Easy new_handle(char* errbuf, Millis timeout, const std::string& ca_file, bool verify) {
  ensure_curl_initialized();
  Easy h(curl_easy_init());
  if (!h) return h;
  errbuf[0] = '\0';
  curl_easy_setopt(h.get(), CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h.get(), CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h.get(), CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
  curl_easy_setopt(h.get(), CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
  if (!ca_file.empty()) curl_easy_setopt(h.get(), CURLOPT_CAINFO, ca_file.c_str());
  return h;
}

// curl's message, plus the OS reason ("Connection refused") that curl 7.88 leaves out.
std::string error_text(CURL* h, CURLcode code, const char* errbuf) {
  std::string text = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  long os_errno = 0;
  if (curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK && os_errno != 0) {
    char buf[128];
    const std::string reason = strerror_r(static_cast<int>(os_errno), buf, sizeof buf);
    if (text.find(reason) == std::string::npos) text += " (" + reason + ")";
  }
  return text;
}

Millis total_time(CURL* h) {
  curl_off_t us = 0;
  curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &us);
  return std::chrono::duration_cast<Millis>(std::chrono::microseconds(us));
}

TransportFailure transport_failure(CURL* h, CURLcode code, const char* errbuf) {
  return TransportFailure{error_text(h, code, errbuf), code == CURLE_PEER_FAILED_VERIFICATION};
}

size_t collect_body(char* data, size_t size, size_t nmemb, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t n = size * nmemb;
  if (body->size() < kMaxBody) body->append(data, std::min(n, kMaxBody - body->size()));
  return n;  // keep reading past the cap so the transfer completes normally
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::vector<std::string> slist_lines(curl_slist* list) {
  std::vector<std::string> lines;
  for (curl_slist* it = list; it != nullptr; it = it->next) lines.emplace_back(it->data);
  return lines;
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return h.value;
  }
  return std::nullopt;
}

std::expected<HttpResponse, TransportFailure> http_fetch(const HttpRequest& request) {
  char errbuf[CURL_ERROR_SIZE];
  Easy h = new_handle(errbuf, request.timeout, request.ca_file, !request.insecure);
  if (!h) return std::unexpected(TransportFailure{"could not create a curl handle", false});
  CURL* c = h.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, request.follow ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "golive-smoke/" GOLIVE_VERSION);

  if (request.body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body->size()));
    curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS, request.body->c_str());
    if (request.method != "POST")
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (request.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
  } else if (request.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  Slist headers;
  auto add_header = [&headers](const std::string& line) {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next != nullptr) {
      static_cast<void>(headers.release());
      headers.reset(next);
    }
  };
  add_header("Expect:");  // no 100-continue round trip for small bodies
  for (const auto& [name, value] : request.headers) add_header(name + ": " + value);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

  // The cookie engine handles domain/path/secure matching of a stored session.
  curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");
  for (const auto& line : request.cookies) curl_easy_setopt(c, CURLOPT_COOKIELIST, line.c_str());

  HttpResponse response;
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);

  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) return std::unexpected(transport_failure(c, rc, errbuf));

  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  response.latency = total_time(c);
  for (curl_header* prev = nullptr;
       (prev = curl_easy_nextheader(c, CURLH_HEADER, -1, prev)) != nullptr;) {
    response.headers.push_back({prev->name, prev->value});
  }
  char* location = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location != nullptr) {
    response.redirect_url = location;
  }
  curl_slist* jar = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_COOKIELIST, &jar) == CURLE_OK) {
    response.cookies = slist_lines(jar);
    curl_slist_free_all(jar);
  }
  return response;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  ensure_curl_initialized();
  auto escape = [](const std::string& s) {
    char* e = curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size()));
    std::string out = e != nullptr ? e : "";
    curl_free(e);
    return out;
  };
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += escape(name) + "=" + escape(value);
  }
  return out;
}

namespace {

Url parse_url(const std::string& url) {
  Url u(curl_url());
  if (u &&
      curl_url_set(u.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    u.reset();
  }
  return u;
}

std::string url_part(CURLU* u, CURLUPart part) {
  char* out = nullptr;
  if (curl_url_get(u, part, &out, 0) != CURLUE_OK || out == nullptr) return "";
  std::string s = out;
  curl_free(out);
  return s;
}

}  // namespace

std::string display_url(const std::string& url) {
  Url u = parse_url(url);
  if (!u) return url;
  curl_url_set(u.get(), CURLUPART_USER, nullptr, 0);
  curl_url_set(u.get(), CURLUPART_PASSWORD, nullptr, 0);
  std::string out = url_part(u.get(), CURLUPART_URL);
  return out.empty() ? url : out;
}

std::string url_path(const std::string& url) {
  Url u = parse_url(url);
  return u ? url_part(u.get(), CURLUPART_PATH) : "";
}

namespace {

struct UploadSource {
  std::string_view data;
  std::size_t pos = 0;
};

size_t read_upload(char* buf, size_t size, size_t nmemb, void* user) {
  auto* src = static_cast<UploadSource*>(user);
  const size_t n = std::min(size * nmemb, src->data.size() - src->pos);
  std::copy_n(src->data.data() + src->pos, n, buf);
  src->pos += n;
  return n;
}

}  // namespace

SmtpOutcome smtp_send(const SmtpRequest& request) {
  SmtpOutcome outcome;
  char errbuf[CURL_ERROR_SIZE];
  Easy h = new_handle(errbuf, request.timeout, request.ca_file, true);
  if (!h) {
    outcome.transport = true;
    outcome.error = "could not create a curl handle";
    return outcome;
  }
  CURL* c = h.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  // STARTTLS is mandatory unless turned off; even then it is used (and verified) when offered.
  curl_easy_setopt(c, CURLOPT_USE_SSL,
                   request.require_starttls ? static_cast<long>(CURLUSESSL_ALL)
                                            : static_cast<long>(CURLUSESSL_TRY));
  if (!request.user.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, request.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, request.password.c_str());
  }
  const std::string from = "<" + request.from + ">";
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  Slist rcpt(curl_slist_append(nullptr, ("<" + request.to + ">").c_str()));
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  UploadSource source{request.message};
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(c, CURLOPT_READDATA, &source);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.message.size()));

  const CURLcode rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &outcome.last_code);
  if (rc == CURLE_OK) {
    outcome.accepted = outcome.last_code == 250;
    if (!outcome.accepted) outcome.error = "relay did not answer 250 to the message";
    return outcome;
  }
  outcome.error = error_text(c, rc, errbuf);
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
      outcome.transport = true;
      break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      outcome.transport = outcome.last_code == 0;  // a reply code means the relay refused
      break;
    default:
      break;
  }
  return outcome;
}

std::expected<TlsPeer, TransportFailure> tls_probe(const std::string& url,
                                                   const std::string& ca_file, bool verify,
                                                   Millis timeout) {
  char errbuf[CURL_ERROR_SIZE];
  Easy h = new_handle(errbuf, timeout, ca_file, verify);
  if (!h) return std::unexpected(TransportFailure{"could not create a curl handle", false});
  CURL* c = h.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);  // the handshake is all a TLS check needs
  curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) return std::unexpected(transport_failure(c, rc, errbuf));
  TlsPeer peer;
  peer.latency = total_time(c);
  curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_CERTINFO, &info) == CURLE_OK && info != nullptr) {
    for (int i = 0; i < info->num_of_certs; ++i) {
      for (const std::string& entry : slist_lines(info->certinfo[i])) {
        if (entry.starts_with("Cert:")) peer.chain_pem.push_back(entry.substr(5));
      }
    }
  }
  return peer;
}

}  // namespace golive
