// The boundary to a deploy target: one session per host, one channel per command.
// The libssh adapter (orchestrator/adapters/ssh_host.cc) is the only code that includes libssh.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "golive/duration.h"
#include "golive/error.h"
#include "golive/runbook.h"

namespace golive {

enum class Stream { kStdout, kStderr };

// Receives command output as it arrives, chunk by chunk (chunks may split lines or secrets).
using OutputCallback = std::function<void(Stream, std::string_view)>;

// Fills `buf` with up to `cap` bytes of the command's stdin; returns 0 at end, <0 on error.
using InputSource = std::function<std::ptrdiff_t(char* buf, std::size_t cap)>;

struct ExecRequest {
  std::string command;  // POSIX sh command line, already interpolated and quoted
  std::string cwd;      // empty: the login directory
  Millis timeout{std::chrono::minutes(10)};   // on expiry the whole remote process group is killed
  OutputCallback on_output;                   // optional live stream
  InputSource stdin_source;                   // optional; stdin is closed when it returns 0
  const std::atomic<bool>* cancel = nullptr;  // optional; set => kill the remote process group
};

// Outcome of one remote command: data, never an exception.
struct ExecResult {
  int exit_status = -1;
  bool timed_out = false;
  bool cancelled = false;
  std::string output;  // stdout+stderr interleaved, last 64 KiB
  Millis duration{0};
};

// One RemoteHost (one SSH session) is used by one thread at a time; drive different hosts from
// different threads in parallel. HostConnector::connect may be called from many threads at once.
class RemoteHost {
 public:
  virtual ~RemoteHost() = default;
  // The runbook name of this host (for prefixes and records).
  virtual const std::string& name() const = 0;
  // Runs one command; transport failures (connection dropped) are errors, non-zero exits are not.
  virtual Result<ExecResult> exec(const ExecRequest& request) = 0;
  // Writes `content` to `path` atomically (temp name + rename) with `mode`, never via a command
  // line.
  virtual Status write_file(const std::string& path, std::string_view content, int mode) = 0;
  // Reads a whole (small) remote file; error if it does not exist.
  virtual Result<std::string> read_file(const std::string& path) = 0;
};

// What the operator sees about a host key when it is not yet trusted.
struct HostKeyInfo {
  std::string host;         // runbook name
  std::string address;      // host:port as connected
  std::string key_type;     // e.g. ssh-ed25519
  std::string fingerprint;  // SHA256:...
  enum class State { kTrusted, kUnknown, kChanged } state = State::kUnknown;
};

struct ConnectOptions {
  Millis connect_timeout{std::chrono::seconds(10)};
  std::string
      ssh_config;  // ssh config file (like `ssh -F`); empty: $GOLIVE_SSH_CONFIG, else ~/.ssh/config
  std::string known_hosts;  // extra known_hosts file (per project/environment); may be empty
  bool strict_host_keys = true;
  // A host that sends nothing for this long (keepalives unanswered) is named and its command
  // fails, instead of the deploy waiting out the step timeout. 0 disables.
  Millis alive_timeout{std::chrono::seconds(15)};
};

class HostConnector {
 public:
  virtual ~HostConnector() = default;
  // Opens an authenticated session; unknown or changed host keys are refused with the fix named.
  virtual Result<std::unique_ptr<RemoteHost>> connect(const Host& host) = 0;
  // Fetches the host's key without authenticating (for `golive hosts trust`).
  virtual Result<HostKeyInfo> probe_host_key(const Host& host) = 0;
  // Records a probed key into the known_hosts file in use.
  virtual Status trust_host_key(const Host& host, const HostKeyInfo& key) = 0;
  // The jump host `host` is reached through (its runbook `jump`, else the ssh config's ProxyJump)
  // as a host to probe and trust directly; none when it is reached directly.
  virtual Result<std::optional<Host>> jump_host(const Host& host) {
    (void)host;
    return std::optional<Host>();
  }
};

// The libssh-backed connector.
std::unique_ptr<HostConnector> make_ssh_connector(const ConnectOptions& options);

}  // namespace golive
