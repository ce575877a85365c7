// One function per check kind, called by the check runner for one attempt each.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "golive/gate.h"
#include "golive/local_process.h"
#include "golive/remote_host.h"
#include "golive/runbook.h"

namespace golive {

// Login sessions (cookie-jar lines) by (login check name, host), shared by the gate's threads.
class SessionStore {
 public:
  void put(const std::string& name, const std::string& host, std::vector<std::string> cookies);
  // The session for `host`, else the one established without a host; nullopt when none.
  std::optional<std::vector<std::string>> get(const std::string& name,
                                              const std::string& host) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> sessions_;
};

// Since when each (check, host) has met its bound without a break, for `for:` (prometheus).
class HoldTimes {
 public:
  // How long the bound has held, `holds` being this attempt's outcome (0 when it does not).
  Millis held(const std::string& check, const std::string& host, bool holds);

 private:
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::chrono::steady_clock::time_point> since_;
};

// What an attempt may use besides its spec.
struct CheckEnv {
  const RenderedCheck& check;
  SessionStore& sessions;
  const std::map<std::string, RemoteHost*>& hosts;
  LocalProcess& local;
  HoldTimes* holds = nullptr;  // absent: `for:` holds from the first attempt that meets the bound
};

CheckAttempt run_http_check(const HttpCheck& spec, const CheckEnv& env);
CheckAttempt run_login_check(const LoginCheck& spec, const CheckEnv& env);
CheckAttempt run_private_cache_check(const PrivateCacheCheck& spec, const CheckEnv& env);
CheckAttempt run_email_check(const EmailCheck& spec, const CheckEnv& env);
CheckAttempt run_command_check(const CommandCheck& spec, const CheckEnv& env);
CheckAttempt run_tls_check(const TlsCheck& spec, const CheckEnv& env);
CheckAttempt run_access_check(const AccessCheck& spec, const CheckEnv& env);
CheckAttempt run_prometheus_check(const PrometheusCheck& spec, const CheckEnv& env);

// Shared helpers for the check kinds.
namespace check_util {

// An attempt that failed with `reason`.
CheckAttempt failed(std::string reason, bool transport = false, Millis latency = Millis{0});

// The stored session `name`, or a failed attempt "<what>: session ... is not established";
// an empty name gives an empty session.
std::optional<std::vector<std::string>> session_for(const std::string& name, const CheckEnv& env,
                                                    const std::string& what, CheckAttempt& failure);

// At most `max` bytes of text, single-quoted, with newlines shown as \n (for reasons).
std::string snippet(std::string_view text, std::size_t max = 120);

// "350ms": exact, so "took X, expected at most Y" never rounds a failure away.
std::string millis(Millis d);

}  // namespace check_util

}  // namespace golive
