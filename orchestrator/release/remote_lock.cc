#include "orchestrator/release/remote_lock.h"

#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "golive/shell_quote.h"
#include "steps/release_layout.h"

namespace golive {
namespace {

std::string lock_dir(const std::string& root) {
  return root + "/.golive/lock";
}

std::string owner_file(const LockOwner& o) {
  std::ostringstream out;
  out << "who=" << o.who << "\nwhere=" << o.where << "\npid=" << o.pid << "\nrelease=" << o.release
      << "\nstarted=" << o.started << "\nmessage=" << o.message << "\n";
  return out.str();
}

}  // namespace

Status acquire_lock(RemoteHost& host, const std::string& root, const LockOwner& owner) {
  const std::string q = shell_quote(root), lq = shell_quote(lock_dir(root));
  ExecRequest req;
  req.timeout = std::chrono::seconds(30);
  // mkdir is atomic: exactly one concurrent caller creates the directory.
  req.command = "mkdir -p " + q + "/.golive && mkdir " + lq + " 2>/dev/null && printf '%s' " +
                shell_quote(owner_file(owner)) + " > " + lq + "/owner && touch " + lq +
                "/heartbeat";
  auto r = host.exec(req);
  if (!r) return std::unexpected(r.error());
  if (r->exit_status == 0) return {};
  auto status = lock_status(host, root);
  if (!status) return std::unexpected(status.error());
  if (!status->held) return fail(host.name() + ": cannot create lock in " + root, ExitCode::kInfra);
  return fail(describe_lock(*status), ExitCode::kPreflight);
}

Status acquire_lock_reclaiming(RemoteHost& host, const std::string& root, const LockOwner& owner,
                               std::string& broken) {
  auto first = acquire_lock(host, root, owner);
  if (first || first.error().exit != ExitCode::kPreflight) return first;
  auto status = lock_status(host, root);
  if (!status || !status->held) return first;
  const LockOwner& holder = status->owner;
  int pid = std::atoi(holder.pid.c_str());
  bool same_machine = !holder.where.empty() && holder.where == owner.where;
  bool holder_dead = pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH;
  if (!same_machine || !holder_dead) return first;
  broken = describe_lock(*status) + " (its process is gone)";
  if (auto s = release_lock(host, root); !s) return s;
  return acquire_lock(host, root, owner);
}

Status heartbeat_lock(RemoteHost& host, const std::string& root) {
  return run_admin(host, "touch " + shell_quote(lock_dir(root) + "/heartbeat"),
                   "refreshing the deploy lock");
}

Status release_lock(RemoteHost& host, const std::string& root) {
  return run_admin(host, "rm -rf " + shell_quote(lock_dir(root)), "releasing the deploy lock");
}

Result<LockStatus> lock_status(RemoteHost& host, const std::string& root) {
  const std::string lq = shell_quote(lock_dir(root));
  ExecRequest req;
  req.timeout = std::chrono::seconds(30);
  req.command = "[ -d " + lq + " ] || { echo held=0; exit 0; }; echo held=1; cat " + lq +
                "/owner 2>/dev/null; echo; echo age=$(( $(date +%s) - $(stat -c %Y " + lq +
                "/heartbeat 2>/dev/null || date +%s) ))";
  auto r = host.exec(req);
  if (!r) return std::unexpected(r.error());
  LockStatus status;
  std::istringstream in(r->output);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string k = line.substr(0, eq), v = line.substr(eq + 1);
    if (k == "held") status.held = v == "1";
    if (k == "who") status.owner.who = v;
    if (k == "where") status.owner.where = v;
    if (k == "pid") status.owner.pid = v;
    if (k == "release") status.owner.release = v;
    if (k == "started") status.owner.started = v;
    if (k == "message") status.owner.message = v;
    if (k == "age") status.heartbeat_age_s = std::atol(v.c_str());
  }
  status.stale = status.held && status.heartbeat_age_s > kLockStaleAfterSeconds;
  return status;
}

std::string describe_lock(const LockStatus& s) {
  if (!s.held) return "not locked";
  std::string text = "locked by " + s.owner.who + "@" + s.owner.where + " (pid " + s.owner.pid +
                     ") since " + s.owner.started;
  if (!s.owner.release.empty()) text += " for release " + s.owner.release;
  if (!s.owner.message.empty()) text += ": " + s.owner.message;
  text += "; heartbeat " + std::to_string(s.heartbeat_age_s) + "s ago";
  if (s.stale) text += " (STALE: break it with `golive lock release ENV --reason ...`)";
  return text;
}

void HeldLock::held(RemoteHost& host, const std::string& root) {
  host_ = &host;
  root_ = root;
}

void HeldLock::start_heartbeat(Connect connect) {
  heartbeat_ = std::thread([this, connect = std::move(connect)] {
    std::unique_ptr<RemoteHost> host;
    std::unique_lock lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::seconds(kLockStaleAfterSeconds / 4));
      if (stop_) break;
      lock.unlock();  // stopping never waits for a connect or a beat in flight
      if (!host) {
        if (auto connected = connect()) host = std::move(*connected);
      }
      if (host) (void)heartbeat_lock(*host, root_);
      lock.lock();
    }
  });
}

void HeldLock::stop_heartbeat() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
}

Status HeldLock::release() {
  stop_heartbeat();
  if (host_ == nullptr) return {};
  RemoteHost& host = *host_;
  host_ = nullptr;
  return release_lock(host, root_);
}

HeldLock::~HeldLock() {
  stop_heartbeat();
}

}  // namespace golive
