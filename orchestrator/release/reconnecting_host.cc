#include "orchestrator/release/reconnecting_host.h"

#include <chrono>
#include <thread>

namespace golive {

ReconnectingHost::ReconnectingHost(std::unique_ptr<RemoteHost> inner, Host host,
                                   std::shared_ptr<HostConnector> connector, Reporter& reporter)
    : inner_(std::move(inner)),
      host_(std::move(host)),
      connector_(std::move(connector)),
      reporter_(reporter) {}

template <class Op>
auto ReconnectingHost::with_reconnect(Op&& op) -> decltype(op(std::declval<RemoteHost&>())) {
  auto result = op(*inner_);
  if (result || session_works()) return result;  // a real failure (a missing file, say)
  if (auto s = reconnect(); !s) {
    return std::unexpected(
        Error{result.error().message + "; " + s.error().message, result.error().exit});
  }
  return op(*inner_);
}

// A transport failure and a failed command look alike from outside; a trivial command tells.
bool ReconnectingHost::session_works() {
  ExecRequest probe;
  probe.command = "true";
  probe.timeout = std::chrono::seconds(5);
  auto r = inner_->exec(probe);
  return r && r->exit_status == 0;
}

Status ReconnectingHost::reconnect() {
  if (!connector_) return fail(host_.name + ": connection lost", ExitCode::kInfra);
  std::string why;
  for (int attempt = 1; attempt <= kReconnectAttempts; ++attempt) {
    // A pause before retrying: an sshd that just restarted needs a moment to accept again.
    if (attempt > 1) std::this_thread::sleep_for(std::chrono::seconds(1));
    reporter_.warn(host_.name + ": connection lost; reconnecting (attempt " +
                   std::to_string(attempt) + "/" + std::to_string(kReconnectAttempts) + ")");
    auto session = connector_->connect(host_);
    if (session) {
      inner_ = std::move(*session);
      reporter_.info(host_.name + ": reconnected");
      return {};
    }
    why = session.error().message;
  }
  return fail(host_.name + ": could not reconnect after " + std::to_string(kReconnectAttempts) +
                  " attempts: " + why,
              ExitCode::kInfra);
}

Result<ExecResult> ReconnectingHost::exec(const ExecRequest& request) {
  return with_reconnect([&](RemoteHost& h) { return h.exec(request); });
}

Status ReconnectingHost::write_file(const std::string& path, std::string_view content, int mode) {
  return with_reconnect([&](RemoteHost& h) { return h.write_file(path, content, mode); });
}

Result<std::string> ReconnectingHost::read_file(const std::string& path) {
  return with_reconnect([&](RemoteHost& h) { return h.read_file(path); });
}

void reconnect_for_rollback(AppContext& app, const Runbook& runbook, const Environment& env,
                            ConnectedFleet& fleet) {
  std::shared_ptr<HostConnector> connector = app.make_connector(connect_options(runbook, env));
  for (std::size_t i = 0; i < fleet.hosts.size() && i < env.hosts.size(); ++i) {
    if (!fleet.hosts[i] || dynamic_cast<ReconnectingHost*>(fleet.hosts[i].get())) continue;
    fleet.hosts[i] = std::make_unique<ReconnectingHost>(std::move(fleet.hosts[i]), env.hosts[i],
                                                        connector, *app.reporter);
    fleet.by_name[env.hosts[i].name] = fleet.hosts[i].get();
  }
}

}  // namespace golive
