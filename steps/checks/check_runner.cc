#include <type_traits>
#include <variant>

#include "golive/gate.h"
#include "steps/checks/checks.h"

namespace golive {

void SessionStore::put(const std::string& name, const std::string& host,
                       std::vector<std::string> cookies) {
  std::lock_guard lock(mu_);
  sessions_[{name, host}] = std::move(cookies);
}

std::optional<std::vector<std::string>> SessionStore::get(const std::string& name,
                                                          const std::string& host) const {
  std::lock_guard lock(mu_);
  if (auto it = sessions_.find({name, host}); it != sessions_.end()) return it->second;
  if (auto it = sessions_.find({name, ""}); it != sessions_.end()) return it->second;
  return std::nullopt;
}

Millis HoldTimes::held(const std::string& check, const std::string& host, bool holds) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (!holds) {
    since_.erase({check, host});
    return Millis{0};
  }
  auto [it, fresh] = since_.try_emplace({check, host}, now);
  return std::chrono::duration_cast<Millis>(now - it->second);
}

namespace check_util {

CheckAttempt failed(std::string reason, bool transport, Millis latency) {
  CheckAttempt a;
  a.passed = false;
  a.transport_error = transport;
  a.reason = std::move(reason);
  a.latency = latency;
  return a;
}

std::optional<std::vector<std::string>> session_for(const std::string& name, const CheckEnv& env,
                                                    const std::string& what,
                                                    CheckAttempt& failure) {
  if (name.empty()) return std::vector<std::string>{};
  auto cookies = env.sessions.get(name, env.check.host);
  if (!cookies) {
    failure = failed(what + ": session '" + name +
                     "' is not established (its login check has not passed" +
                     (env.check.host.empty() ? "" : " for host " + env.check.host) + ")");
  }
  return cookies;
}

std::string snippet(std::string_view text, std::size_t max) {
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < max; ++i) {
    if (text[i] == '\n') {
      out += "\\n";
    } else if (text[i] != '\r') {
      out += text[i];
    }
  }
  out += text.size() > max ? "...'" : "'";
  return out;
}

std::string millis(Millis d) {
  return std::to_string(d.count()) + "ms";
}

}  // namespace check_util

namespace {

class CurlCheckRunner final : public CheckRunner {
 public:
  CurlCheckRunner(std::map<std::string, RemoteHost*> hosts, LocalProcess& local)
      : hosts_(std::move(hosts)), local_(local) {}

  CheckAttempt attempt(const RenderedCheck& check) override {
    const CheckEnv env{check, sessions_, hosts_, local_, &holds_};
    return std::visit(
        [&env](const auto& spec) -> CheckAttempt {
          using T = std::decay_t<decltype(spec)>;
          if constexpr (std::is_same_v<T, HttpCheck>) {
            return run_http_check(spec, env);
          } else if constexpr (std::is_same_v<T, LoginCheck>) {
            return run_login_check(spec, env);
          } else if constexpr (std::is_same_v<T, PrivateCacheCheck>) {
            return run_private_cache_check(spec, env);
          } else if constexpr (std::is_same_v<T, EmailCheck>) {
            return run_email_check(spec, env);
          } else if constexpr (std::is_same_v<T, CommandCheck>) {
            return run_command_check(spec, env);
          } else if constexpr (std::is_same_v<T, TlsCheck>) {
            return run_tls_check(spec, env);
          } else if constexpr (std::is_same_v<T, AccessCheck>) {
            return run_access_check(spec, env);
          } else {
            static_assert(std::is_same_v<T, PrometheusCheck>, "every check kind needs a runner");
            return run_prometheus_check(spec, env);
          }
        },
        check.spec);
  }

 private:
  std::map<std::string, RemoteHost*> hosts_;
  LocalProcess& local_;
  SessionStore sessions_;
  HoldTimes holds_;
};

}  // namespace

std::unique_ptr<CheckRunner> make_check_runner(std::map<std::string, RemoteHost*> hosts,
                                               LocalProcess& local) {
  return std::make_unique<CurlCheckRunner>(std::move(hosts), local);
}

}  // namespace golive
