// `email` check: a real SMTP transaction through the relay (the release's mail path works), or a
// POST to the app's own "send test email" endpoint.
#include <ctime>
#include <random>

#include "steps/checks/checks.h"
#include "orchestrator/adapters/http/curl_http.h"

namespace golive {
namespace {

// A token unique to this attempt, so the canary mailbox can tell which attempt arrived.
std::string new_token() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 16; ++i) out += kHex[rd() % 16];
  return out;
}

std::string rfc5322_date() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

CheckAttempt trigger(const EmailCheck& spec, const CheckEnv& env) {
  using check_util::failed;
  const std::string what = "POST " + display_url(spec.trigger_url);
  CheckAttempt no_session;
  auto cookies = check_util::session_for(spec.session, env, what, no_session);
  if (!cookies) return no_session;
  HttpRequest req;
  req.method = "POST";
  req.url = spec.trigger_url;
  req.timeout = env.check.timeout;
  req.ca_file = spec.ca_file;
  req.cookies = std::move(*cookies);
  auto r = http_fetch(req);
  if (!r) return failed(what + ": " + r.error().message, !r.error().tls_verification, req.timeout);
  if (r->status < 200 || r->status >= 300) {
    return failed(what + ": expected 2xx from the send-test-email endpoint, got " +
                      std::to_string(r->status) + " " + check_util::snippet(r->body, 80),
                  false, r->latency);
  }
  CheckAttempt a;
  a.passed = true;
  a.latency = r->latency;
  return a;
}

}  // namespace

CheckAttempt run_email_check(const EmailCheck& spec, const CheckEnv& env) {
  using check_util::failed;
  if (!spec.trigger_url.empty()) return trigger(spec, env);

  const std::string relay = display_url(spec.smtp);
  if (!spec.smtp.starts_with("smtp://") && !spec.smtp.starts_with("smtps://")) {
    return failed("email: smtp must be an smtp:// or smtps:// URL, got '" + relay + "'");
  }
  const std::string token = new_token();
  const std::string subject = "golive smoke check " + token;
  SmtpRequest req;
  req.url = spec.smtp;
  req.from = spec.from;
  req.to = spec.to;
  req.user = spec.user;
  req.password = spec.password;
  req.require_starttls = spec.starttls;
  req.ca_file = spec.ca_file;
  req.timeout = env.check.timeout;
  req.message = "From: <" + spec.from + ">\r\nTo: <" + spec.to + ">\r\nSubject: " + subject +
                "\r\nDate: " + rfc5322_date() + "\r\nMessage-ID: <" + token +
                "@golive.smoke>\r\n\r\nSent by golive's email smoke check; token " + token +
                ".\r\n";

  const auto started = std::chrono::steady_clock::now();
  SmtpOutcome out = smtp_send(req);
  const auto latency =
      std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
  const std::string what = "SMTP " + relay + " to " + spec.to;
  if (!out.accepted) {
    std::string reason = what + ": expected 250 from the relay, got ";
    reason += out.last_code != 0 ? std::to_string(out.last_code) : std::string("no reply");
    if (!out.error.empty()) reason += " (" + out.error + ")";
    return failed(reason, out.transport, latency);
  }
  CheckAttempt a;
  a.passed = true;
  a.latency = latency;
  a.detail = "subject '" + subject + "' accepted by " + relay;
  return a;
}

}  // namespace golive
