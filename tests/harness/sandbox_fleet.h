// A real sshd fleet on loopback for tests (wraps scripts/sandbox-fleet). Each fleet lives in a
// fresh temp dir on a free port, so parallel test processes (`ctest -j2`) never collide.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "golive/remote_host.h"
#include "golive/runbook.h"

namespace golive::testing {

// A POSIX sh snippet printing the pid of the sshd process serving the command's connection: the
// nearest ancestor named sshd (a command's parent is the host's long-lived golive shell, or sshd
// itself for a command on a channel of its own). No double quotes: it fits in YAML strings.
inline constexpr const char* kSshdPidCommand =
    "p=$PPID; while [ $(cat /proc/$p/comm) != sshd ]; do read -r _ _ _ p _ < /proc/$p/stat; "
    "done; echo $p";

// Which SSH server serves the fleet and which login shell its user has (the interop matrix).
struct FleetKind {
  std::string server = "openssh";  // or "dropbear"
  std::string shell = "sh";        // the deploy user's login shell: "sh" (dash) or "bash"
};

// Where a fleet's hosts listen, and whether they sit behind a jump host.
struct FleetLayout {
  int first = 11;  // webK listens on 127.0.0.(first+K-1)
  // Non-empty (e.g. "127.0.0.200"): a two-hop fleet, its hosts reachable only through a jump
  // host sshd on this address (scripts/sandbox-fleet --bastion).
  std::string bastion;
};

class SandboxFleet {
 public:
  // Starts a fleet of `hosts` hosts (web1..webN on 127.0.0.11.. by default); throws
  // std::runtime_error on failure.
  static std::unique_ptr<SandboxFleet> start(int hosts, const FleetKind& kind = {},
                                             const FleetLayout& layout = {});
  // The fleet shared by every test in this process (started lazily, stopped at exit); grows to at
  // least `hosts` hosts when asked for more.
  static SandboxFleet& shared(int hosts = 3);
  // The two-hop fleet shared by every test in this process: hosts web1..webN on 127.0.0.201..,
  // reachable only through the jump host on 127.0.0.200 (FleetKind::bastion).
  static SandboxFleet& shared_behind_bastion(int hosts = 3);
  ~SandboxFleet();  // stops sshd and everything deploys left running, removes the temp dir

  SandboxFleet(const SandboxFleet&) = delete;
  SandboxFleet& operator=(const SandboxFleet&) = delete;

  const std::string& dir() const { return dir_; }
  std::string ssh_config() const { return dir_ + "/ssh_config"; }
  std::string known_hosts() const { return dir_ + "/known_hosts"; }
  std::string client_key() const { return dir_ + "/client_key"; }
  int port() const { return port_; }
  // The jump host of a two-hop fleet as `address:port` (the login user comes from ssh_config).
  std::string bastion() const { return layout_.bastion + ":" + std::to_string(port_); }
  // Runbook hosts web1..webN (name, address; user/port come from ssh_config).
  const std::vector<Host>& hosts() const { return hosts_; }
  const Host& host(int k) const { return hosts_.at(static_cast<std::size_t>(k - 1)); }
  // The host root of webK (owned by deploy), e.g. DIR/hosts/web1.
  std::string root(int k) const { return dir_ + "/hosts/web" + std::to_string(k); }
  // ConnectOptions-free connector reading this fleet's ssh_config.
  std::unique_ptr<HostConnector> connector() const;
  // Grows the fleet to `hosts` hosts (the script is idempotent).
  void ensure_hosts(int hosts);

  // Runs a command on the local machine as the test user; returns stdout (trimmed) or throws.
  static std::string sh(const std::string& command, int* exit_status = nullptr);

 private:
  SandboxFleet() = default;
  std::string dir_;
  FleetKind kind_;
  FleetLayout layout_;
  int port_ = 0;
  std::vector<Host> hosts_;
};

}  // namespace golive::testing
