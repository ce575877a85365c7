#include "steps/checks/check_templates.h"

#include <type_traits>

namespace golive {

void for_each_check_template(CheckSpec& spec,
                             const std::function<void(std::string&, Quoting)>& fn) {
  auto text = [&](std::string& s) { fn(s, Quoting::kNone); };
  std::visit(
      [&](auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, HttpCheck>) {
          text(c.url);
          text(c.body);
          text(c.json);
          for (auto& [k, v] : c.headers) text(v);
          for (auto& [k, v] : c.form) text(v);
        } else if constexpr (std::is_same_v<T, LoginCheck>) {
          text(c.url);
          text(c.user);
          text(c.password);
          text(c.then);
        } else if constexpr (std::is_same_v<T, PrivateCacheCheck>) {
          text(c.url);
          for (auto& u : c.static_urls) text(u);
        } else if constexpr (std::is_same_v<T, EmailCheck>) {
          text(c.smtp);
          text(c.to);
          text(c.from);
          text(c.user);
          text(c.password);
          text(c.trigger_url);
        } else if constexpr (std::is_same_v<T, CommandCheck>) {
          fn(c.run, Quoting::kShell);
        } else if constexpr (std::is_same_v<T, TlsCheck>) {
          text(c.url);
        } else if constexpr (std::is_same_v<T, AccessCheck>) {
          for (auto& session : c.sessions) {
            text(session.url);
            text(session.user);
            text(session.password);
          }
          for (auto& rule : c.rules) text(rule.url);
        } else if constexpr (std::is_same_v<T, PrometheusCheck>) {
          text(c.url);
          text(c.query);
        }
      },
      spec);
}

}  // namespace golive
