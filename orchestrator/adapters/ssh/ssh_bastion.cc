// One jump host session shared by every target session tunnelled through it.
//
// Debian 12's libssh (0.10) implements ProxyJump by spawning `ssh -W` as a ProxyCommand: one
// OpenSSH process and one bastion login per target, the bastion's key checked by ssh against
// ~/.ssh/known_hosts rather than golive's. Instead golive logs into the bastion itself (strict
// host-key check against the same known_hosts as the targets) and runs each target's SSH session
// over a `direct-tcpip` channel of that one session. libssh sessions are not thread-safe, so one
// pump thread owns the bastion session: it opens the channels asked for and moves bytes between
// each channel and a local socket pair, whose other end the target session uses as its transport
// (SSH_OPTIONS_FD). The target's SSH encryption is end to end; the bastion sees ciphertext only.
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "orchestrator/adapters/ssh/ssh_internal.h"

namespace golive::ssh {
namespace {

constexpr std::size_t kChunk = 32 * 1024;

using Clock = std::chrono::steady_clock;

// When a tunnel last received a byte from its host, in steady-clock milliseconds.
using Stamp = std::shared_ptr<std::atomic<int64_t>>;

int64_t now_ms() {
  return std::chrono::duration_cast<Millis>(Clock::now().time_since_epoch()).count();
}

// Tunnels by the socket their host session uses, for tunnel_silence(). A socket number is reused
// once closed, so an entry is only removed by the tunnel that put it there.
struct SilenceRegistry {
  std::mutex mu;
  std::map<int, Stamp> by_fd;
  void add(int fd, Stamp stamp) {
    std::lock_guard lock(mu);
    by_fd[fd] = std::move(stamp);
  }
  void remove(int fd, const Stamp& stamp) {
    std::lock_guard lock(mu);
    if (auto it = by_fd.find(fd); it != by_fd.end() && it->second == stamp) by_fd.erase(it);
  }
};

SilenceRegistry& silences() {
  static SilenceRegistry registry;
  return registry;
}

// A channel being opened for a connect() waiting on `done`.
struct Request {
  std::string host;
  int port = 0;
  int fd = -1;       // the pump's end of the socket pair
  int host_fd = -1;  // the host session's end
  Stamp stamp;
  std::promise<Status> done;
};

// An open channel and its socket; bytes read from the channel wait in `to_socket` until the
// target session's thread reads them (a slow reader stops the channel, not the whole pump).
struct Tunnel {
  ssh_channel channel = nullptr;
  int fd = -1;
  int host_fd = -1;
  Stamp stamp;
  std::string to_socket;
  bool remote_eof = false;
  bool finished = false;
};

void set_nonblocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

}  // namespace

struct Bastion::Impl {
  SessionPtr session;
  std::string label;
  int wake_fd = -1;
  std::atomic<bool> stop{false};
  std::atomic<bool> dead{false};
  std::mutex mu;
  std::deque<std::shared_ptr<Request>> queue;  // guarded by mu
  std::string death;                           // guarded by mu: why the connection ended
  std::thread pump;

  // Pump thread only:
  ssh_event event = nullptr;  // the bastion session alone: drains its socket when no read does
  std::vector<std::pair<ssh_channel, std::shared_ptr<Request>>> opening;
  std::vector<Tunnel> tunnels;

  void run();
  bool start_opening();
  bool advance_opening();
  bool move_bytes(Tunnel& t);
  void wait_for_work(bool progress);
  void close_all(const std::string& why);
};

Bastion::Bastion(SessionPtr session, std::string label) : impl_(std::make_unique<Impl>()) {
  impl_->session = std::move(session);
  impl_->label = std::move(label);
  impl_->wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  impl_->pump = std::thread([impl = impl_.get()] { impl->run(); });
}

Bastion::~Bastion() {
  impl_->stop = true;
  uint64_t one = 1;
  (void)::write(impl_->wake_fd, &one, sizeof one);
  impl_->pump.join();
  ::close(impl_->wake_fd);
}

bool Bastion::alive() const {
  return !impl_->dead.load();
}

const std::string& Bastion::label() const {
  return impl_->label;
}

Result<int> Bastion::open_tunnel(const std::string& host, int port, Millis timeout) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return fail(std::string("cannot create a socket pair: ") + std::strerror(errno),
                ExitCode::kInfra);
  }
  set_nonblocking(sv[0]);
  auto request = std::make_shared<Request>();
  request->host = host;
  request->port = port;
  request->fd = sv[0];
  request->host_fd = sv[1];
  request->stamp = std::make_shared<std::atomic<int64_t>>(now_ms());
  silences().add(sv[1], request->stamp);
  auto done = request->done.get_future();
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->dead) {
      silences().remove(sv[1], request->stamp);
      ::close(sv[0]);
      ::close(sv[1]);
      return fail("the connection to " + impl_->label + " was lost (" + impl_->death + ")",
                  ExitCode::kInfra);
    }
    impl_->queue.push_back(request);
  }
  uint64_t one = 1;
  (void)::write(impl_->wake_fd, &one, sizeof one);
  // On a timeout the pump still owns sv[0]: closing sv[1] makes it drop the channel.
  if (done.wait_for(timeout) != std::future_status::ready) {
    silences().remove(sv[1], request->stamp);
    ::close(sv[1]);
    return fail("timed out after " + format_duration(timeout) + " opening a channel to " + host +
                    ":" + std::to_string(port) + " through " + impl_->label,
                ExitCode::kInfra);
  }
  if (auto status = done.get(); !status) {
    silences().remove(sv[1], request->stamp);
    ::close(sv[1]);
    return std::unexpected(status.error());
  }
  return sv[1];
}

void Bastion::Impl::run() {
  ssh_set_blocking(session.get(), 0);
  event = ssh_event_new();
  if (event != nullptr) ssh_event_add_session(event, session.get());
  bool closed = false;
  while (!stop && !closed) {
    bool progress = start_opening();
    progress |= advance_opening();
    for (auto& t : tunnels) progress |= move_bytes(t);
    std::erase_if(tunnels, [](const Tunnel& t) { return t.finished; });
    if (ssh_is_connected(session.get()) == 0 ||
        ssh_get_status(session.get()) & (SSH_CLOSED | SSH_CLOSED_ERROR)) {
      const char* why = ssh_get_error(session.get());
      close_all(why != nullptr && *why != '\0' ? why : "closed by the bastion");
      closed = true;
      continue;
    }
    wait_for_work(progress);
  }
  if (!closed) close_all("golive closed it");
  if (event != nullptr) {
    ssh_event_remove_session(event, session.get());
    ssh_event_free(event);
  }
}

// Takes the queued requests and sends their channel-open messages.
bool Bastion::Impl::start_opening() {
  std::deque<std::shared_ptr<Request>> taken;
  {
    std::lock_guard lock(mu);
    taken.swap(queue);
  }
  for (auto& r : taken) {
    ssh_channel channel = ssh_channel_new(session.get());
    if (channel == nullptr) {
      ::close(r->fd);
      r->done.set_value(fail("cannot allocate a channel on " + label, ExitCode::kInfra));
      continue;
    }
    opening.emplace_back(channel, std::move(r));
  }
  return !taken.empty();
}

// Drives pending channel opens (non-blocking: SSH_AGAIN until the bastion answers).
bool Bastion::Impl::advance_opening() {
  bool progress = false;
  for (auto it = opening.begin(); it != opening.end();) {
    auto& [channel, r] = *it;
    // The originator address is informational for sshd's logs; golive has no listening port.
    int rc = ssh_channel_open_forward(channel, r->host.c_str(), r->port, "127.0.0.1", 0);
    if (rc == SSH_AGAIN) {
      ++it;
      continue;
    }
    progress = true;
    if (rc == SSH_OK) {
      Tunnel t;
      t.channel = channel;
      t.fd = r->fd;
      t.host_fd = r->host_fd;
      t.stamp = r->stamp;
      tunnels.push_back(std::move(t));
      r->done.set_value({});
    } else {
      std::string why = ssh_get_error(session.get());
      ssh_channel_free(channel);
      ::close(r->fd);
      r->done.set_value(fail(label + " could not open a connection to " + r->host + ":" +
                                 std::to_string(r->port) + ": " + why,
                             ExitCode::kInfra));
    }
    it = opening.erase(it);
  }
  return progress;
}

// One round of copying for a tunnel in both directions; true when any byte moved.
bool Bastion::Impl::move_bytes(Tunnel& t) {
  bool progress = false;
  std::array<char, kChunk> buf;
  if (t.to_socket.empty() && !t.remote_eof) {
    int n = ssh_channel_read_nonblocking(t.channel, buf.data(), buf.size(), 0);
    if (n > 0) {
      t.stamp->store(now_ms());
      t.to_socket.assign(buf.data(), static_cast<std::size_t>(n));
      progress = true;
    } else if (n == SSH_EOF || n == SSH_ERROR || ssh_channel_is_closed(t.channel) != 0) {
      // Dead before any host session can see the EOF below and ask for a new tunnel.
      if (ssh_is_connected(session.get()) == 0) dead = true;
      t.remote_eof = true;  // the target hung up (or the bastion dropped it)
      progress = true;
    }
  }
  while (!t.to_socket.empty()) {
    ssize_t w = ::send(t.fd, t.to_socket.data(), t.to_socket.size(), MSG_NOSIGNAL);
    if (w <= 0) {
      if (w < 0 && (errno == EAGAIN || errno == EINTR)) break;
      t.to_socket.clear();  // the target session is gone
      t.remote_eof = true;
      break;
    }
    t.to_socket.erase(0, static_cast<std::size_t>(w));
    progress = true;
  }
  if (t.remote_eof && t.to_socket.empty()) ::shutdown(t.fd, SHUT_WR);

  // Never read more than the bastion may take now: the rest stays in the socket (backpressure).
  uint32_t window = ssh_channel_window_size(t.channel);
  if (window > 0 && ssh_channel_is_open(t.channel) != 0) {
    ssize_t r = ::recv(t.fd, buf.data(), std::min<std::size_t>(window, buf.size()), 0);
    if (r > 0) {
      if (ssh_channel_write(t.channel, buf.data(), static_cast<uint32_t>(r)) != r)
        t.finished = true;
      progress = true;
    } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
      t.finished = true;  // the target session closed its end: done with this channel
    }
  }
  if (t.finished || (t.remote_eof && t.to_socket.empty() && ssh_channel_is_open(t.channel) == 0)) {
    if (ssh_channel_is_open(t.channel) != 0) {
      ssh_channel_send_eof(t.channel);
      ssh_channel_close(t.channel);
    }
    ssh_channel_free(t.channel);
    ::close(t.fd);
    silences().remove(t.host_fd, t.stamp);
    t.finished = true;
  }
  return progress;
}

// Sleeps until the bastion, a target socket or a new request has something (bounded, so pending
// opens and window updates are rechecked); does not sleep after a round that moved bytes.
void Bastion::Impl::wait_for_work(bool progress) {
  std::vector<pollfd> fds;
  short bastion_events = POLLIN;
  if (ssh_get_poll_flags(session.get()) & SSH_WRITE_PENDING) bastion_events |= POLLOUT;
  fds.push_back({ssh_get_fd(session.get()), bastion_events, 0});
  fds.push_back({wake_fd, POLLIN, 0});
  for (const auto& t : tunnels) {
    short events = 0;
    if (!t.to_socket.empty()) events |= POLLOUT;
    if (ssh_channel_window_size(t.channel) > 0) events |= POLLIN;
    fds.push_back({t.fd, events, 0});
  }
  ::poll(fds.data(), fds.size(), progress ? 0 : 200);
  // Reads happen through the tunnels' channel reads; with none reading (no tunnel yet, or every
  // one waiting for its host to take what it has) the readable socket must still be drained, or
  // poll() would return at once forever.
  if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && event != nullptr) {
    ssh_event_dopoll(event, 0);
  }
  uint64_t drained = 0;
  (void)::read(wake_fd, &drained, sizeof drained);
}

void Bastion::Impl::close_all(const std::string& why) {
  {
    std::lock_guard lock(mu);
    dead = true;
    death = why;
    for (auto& r : queue) opening.emplace_back(nullptr, std::move(r));
    queue.clear();
  }
  for (auto& [channel, r] : opening) {
    if (channel != nullptr) ssh_channel_free(channel);
    ::close(r->fd);
    r->done.set_value(fail("lost the connection to " + label + ": " + why, ExitCode::kInfra));
  }
  opening.clear();
  for (auto& t : tunnels) {
    ssh_channel_free(t.channel);
    ::close(t.fd);  // the host session reads EOF: a dropped connection
    silences().remove(t.host_fd, t.stamp);
  }
  tunnels.clear();
}

std::optional<Millis> tunnel_silence(int fd) {
  auto& registry = silences();
  std::lock_guard lock(registry.mu);
  auto it = registry.by_fd.find(fd);
  if (it == registry.by_fd.end()) return std::nullopt;
  return Millis(now_ms() - it->second->load());
}

}  // namespace golive::ssh
