// The remote deploy lock on an environment's first host: an atomic `mkdir <root>/.golive/lock`
// with an owner file and a heartbeat, so two deploys (or a deploy and a rollback) never overlap.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "golive/error.h"
#include "golive/remote_host.h"

namespace golive {

// Who holds the lock, as written in its owner file.
struct LockOwner {
  std::string who;
  std::string where;  // hostname of the golive process
  std::string pid;
  std::string release;
  std::string started;
  std::string message;
};

struct LockStatus {
  bool held = false;
  LockOwner owner;
  long heartbeat_age_s = 0;  // seconds since the holder last refreshed it
  bool stale = false;        // heartbeat older than kLockStaleAfter
};

// A lock whose heartbeat is older than this is stale (its holder is presumed dead).
inline constexpr long kLockStaleAfterSeconds = 120;

// Takes the lock or fails with exit 3 naming the holder ("locked by ... since ...").
Status acquire_lock(RemoteHost& host, const std::string& root, const LockOwner& owner);

// Takes the lock like acquire_lock, but first breaks a lock left by a golive process on THIS
// machine that no longer exists (kill -9, power loss): no one else can be holding it. Returns the
// description of the lock it broke, if any, in `broken`.
Status acquire_lock_reclaiming(RemoteHost& host, const std::string& root, const LockOwner& owner,
                               std::string& broken);

// Refreshes the heartbeat; call at least every kLockStaleAfterSeconds / 4.
Status heartbeat_lock(RemoteHost& host, const std::string& root);

// Releases the lock (also used to break a stale lock).
Status release_lock(RemoteHost& host, const std::string& root);

Result<LockStatus> lock_status(RemoteHost& host, const std::string& root);

// "locked by alice@laptop (pid 42) since 2026-... for release ...: message"
std::string describe_lock(const LockStatus& status);

// The lock this process holds for one release, released once by the release's ending. A
// heartbeat thread keeps it fresh while steps run for minutes.
class HeldLock {
 public:
  // Opens the heartbeat's own session (RemoteHost is single-threaded), or fails.
  using Connect = std::function<Result<std::unique_ptr<RemoteHost>>()>;

  HeldLock() = default;
  ~HeldLock();  // stops the heartbeat; the lock itself stays until release()
  HeldLock(const HeldLock&) = delete;
  HeldLock& operator=(const HeldLock&) = delete;

  // Records that acquire_lock succeeded on `host` (which must outlive this) under `root`.
  void held(RemoteHost& host, const std::string& root);
  // The held lock's host is now reached through `host` (a reconnecting wrapper of the same host);
  // nothing when no lock is held.
  void moved_to(RemoteHost& host) {
    if (host_ != nullptr) host_ = &host;
  }
  // Refreshes the heartbeat every kLockStaleAfterSeconds / 4 on a session from `connect`, opened
  // at the first beat so releases shorter than one period never pay for another connection.
  void start_heartbeat(Connect connect);
  // Stops the heartbeat and releases the lock if held; ok when nothing is held.
  Status release();

 private:
  void stop_heartbeat();

  RemoteHost* host_ = nullptr;
  std::string root_;
  std::thread heartbeat_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

}  // namespace golive
