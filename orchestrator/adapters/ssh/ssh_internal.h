// Private to the libssh adapter (orchestrator/adapters/ssh_*.cc): the only header that includes
// libssh. Nothing outside orchestrator/adapters/ may include it.
#pragma once

#include <libssh/libssh.h>

#include <memory>
#include <optional>
#include <string>

#include "golive/error.h"
#include "golive/remote_host.h"

namespace golive::ssh {

class Bastion;

struct SessionDeleter {
  // What the session's transport depends on (the jump host session a tunnelled session runs
  // over), released only after the session is freed.
  std::shared_ptr<Bastion> keep_alive;
  void operator()(ssh_session s) const {
    ssh_disconnect(s);
    ssh_free(s);
  }
};
// An owned libssh session (disconnected and freed on destruction).
using SessionPtr = std::unique_ptr<ssh_session_struct, SessionDeleter>;

// Wraps an authenticated session as a RemoteHost. `address` is "host:port" as connected; a peer
// silent for `alive_timeout` (keepalives unanswered) fails the command running on it.
std::unique_ptr<RemoteHost> make_ssh_host(std::string name, std::string address, SessionPtr session,
                                          Millis alive_timeout);

// One authenticated, host-key-checked session to a jump host, shared by every target session
// tunnelled through it (orchestrator/adapters/ssh/ssh_bastion.cc). Thread-safe: a pump thread
// owns the libssh session; open_tunnel may be called from any thread.
class Bastion {
 public:
  // Takes over `session` (authenticated); `label` names the jump host in errors.
  Bastion(SessionPtr session, std::string label);
  ~Bastion();  // closes every tunnel, then the session
  Bastion(const Bastion&) = delete;
  Bastion& operator=(const Bastion&) = delete;

  // Opens a direct-tcpip channel to host:port (resolved by the bastion) and returns a local socket
  // carrying it, for SSH_OPTIONS_FD (libssh closes it with the session).
  Result<int> open_tunnel(const std::string& host, int port, Millis timeout);
  // False once the connection to the bastion failed: the next connect opens a new one.
  bool alive() const;
  const std::string& label() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// How long the bastion tunnel behind socket `fd` (a host session's transport) has brought nothing
// from the host; empty when `fd` is not such a tunnel. Frozen-host detection behind a bastion,
// where the kernel's TCP_INFO only sees a socket pair.
std::optional<Millis> tunnel_silence(int fd);

}  // namespace golive::ssh
