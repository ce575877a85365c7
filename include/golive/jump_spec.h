// A jump host (bastion) as written in a runbook's `jump` key or an ssh config's ProxyJump:
// `[user@]host[:port]`, IPv6 literals in brackets (`[::1]:2222`), or `none`.
#pragma once

#include <string>
#include <string_view>

#include "golive/error.h"

namespace golive {

struct JumpSpec {
  std::string user;  // empty: from the ssh config's entry for `host`, else the local user
  std::string host;  // name, IP, or an ssh config alias
  int port = 0;      // 0: from the ssh config's entry for `host`, else 22
};

// Parses one hop; an error (kUsage) says what is wrong. `none` is not a hop: callers check it.
Result<JumpSpec> parse_jump_spec(std::string_view text);

// The canonical text of a hop (`user@host:port`, brackets around IPv6), for messages and plans.
std::string jump_text(const JumpSpec& jump);

}  // namespace golive
