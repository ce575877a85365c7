// Private to the libssh adapter (orchestrator/adapters/ssh_*.cc): the only header that includes
// libssh. Nothing outside orchestrator/adapters/ may include it.
#pragma once

#include <libssh/libssh.h>

#include <memory>
#include <string>

#include "golive/remote_host.h"

namespace golive::ssh {

struct SessionDeleter {
  void operator()(ssh_session s) const {
    ssh_disconnect(s);
    ssh_free(s);
  }
};
// An owned libssh session (disconnected and freed on destruction).
using SessionPtr = std::unique_ptr<ssh_session_struct, SessionDeleter>;

// Wraps an authenticated session as a RemoteHost. `address` is "host:port" as connected; a peer
// silent for `alive_timeout` (keepalives unanswered) fails the command running on it.
std::unique_ptr<RemoteHost> make_ssh_host(std::string name, std::string address,
                                          SessionPtr session, Millis alive_timeout);

}  // namespace golive::ssh
