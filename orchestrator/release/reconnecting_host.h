// Rollback-time commands must reach a host whose SSH session dropped after the switch (sshd
// restarted, a NAT timeout): a RemoteHost that opens a new session and retries, a bounded number
// of times, naming the host and each attempt in the output.
#pragma once

#include <memory>
#include <string>

#include "golive/remote_host.h"
#include "orchestrator/context/reporter.h"
#include "orchestrator/release/target.h"

namespace golive {

// Attempts to open a new session before a command gives up on a host.
inline constexpr int kReconnectAttempts = 2;

// Wraps `inner`: when an operation fails and the session cannot even run `true` any more (the
// transport is gone, or the host stopped answering), it reconnects through `connector` and runs
// the operation once more on the new session. Only for commands that may run twice (rollback
// actions are idempotent: switch back, mark, log, read).
class ReconnectingHost final : public RemoteHost {
 public:
  ReconnectingHost(std::unique_ptr<RemoteHost> inner, Host host,
                   std::shared_ptr<HostConnector> connector, Reporter& reporter);

  const std::string& name() const override { return host_.name; }
  Result<ExecResult> exec(const ExecRequest& request) override;
  Status write_file(const std::string& path, std::string_view content, int mode) override;
  Result<std::string> read_file(const std::string& path) override;

 private:
  template <class Op>
  auto with_reconnect(Op&& op) -> decltype(op(std::declval<RemoteHost&>()));
  bool session_works();
  Status reconnect();

  std::unique_ptr<RemoteHost> inner_;
  Host host_;
  std::shared_ptr<HostConnector> connector_;
  Reporter& reporter_;
};

// Replaces every host of `fleet` by a ReconnectingHost (by_name follows), for a rollback.
void reconnect_for_rollback(AppContext& app, const Runbook& runbook, const Environment& env,
                            ConnectedFleet& fleet);

}  // namespace golive
