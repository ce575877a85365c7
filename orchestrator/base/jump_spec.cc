#include "golive/jump_spec.h"

#include <charconv>

namespace golive {
namespace {

// Characters a user or host name may hold: enough for DNS names, IPv4, ssh config aliases and
// login names; nothing a shell, a URL or ssh's own syntax (`,`, `%`, spaces) gives meaning to.
bool plain_name(std::string_view s) {
  if (s.empty() || s.front() == '-') return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool ipv6_literal(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
              c == ':' || c == '.';
    if (!ok) return false;
  }
  return s.find(':') != std::string_view::npos;
}

}  // namespace

Result<JumpSpec> parse_jump_spec(std::string_view text) {
  const std::string shown(text);
  if (text.empty()) return fail("a jump host must be `[user@]host[:port]`, got an empty value");
  if (text.find(',') != std::string_view::npos) {
    return fail("`" + shown + "` names several jump hosts; golive goes through one bastion");
  }
  if (text.starts_with("ssh://")) text.remove_prefix(6);
  JumpSpec jump;
  if (auto at = text.rfind('@'); at != std::string_view::npos) {
    jump.user = std::string(text.substr(0, at));
    text.remove_prefix(at + 1);
    if (!plain_name(jump.user)) {
      return fail("jump host `" + shown + "`: `" + jump.user + "` is not a valid user name");
    }
  }
  std::string_view port_text;
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos || !ipv6_literal(text.substr(1, close - 1))) {
      return fail("jump host `" + shown + "`: an IPv6 address goes in brackets, e.g. [::1]:22");
    }
    jump.host = std::string(text.substr(1, close - 1));
    text.remove_prefix(close + 1);
    if (!text.empty() && !text.starts_with(':')) {
      return fail("jump host `" + shown + "`: expected `:port` after the bracketed address");
    }
    if (!text.empty()) port_text = text.substr(1);
  } else {
    auto colon = text.find(':');
    jump.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) port_text = text.substr(colon + 1);
    if (!plain_name(jump.host)) {
      return fail("jump host `" + shown + "`: `" + jump.host +
                  "` is not a host name or address (expected [user@]host[:port])");
    }
  }
  if (!port_text.empty() || text.ends_with(':')) {
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return fail("jump host `" + shown + "`: port `" + std::string(port_text) +
                  "` must be a number from 1 to 65535");
    }
    jump.port = port;
  }
  return jump;
}

std::string jump_text(const JumpSpec& jump) {
  std::string out = jump.user.empty() ? "" : jump.user + "@";
  out += jump.host.find(':') != std::string::npos ? "[" + jump.host + "]" : jump.host;
  if (jump.port != 0) out += ":" + std::to_string(jump.port);
  return out;
}

}  // namespace golive
