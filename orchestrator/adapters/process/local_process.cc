// The Boost.Process adapter behind LocalProcess: the only code that includes Boost.Process.
// Boost.Process starts the child; one poll() loop per run streams its output, feeds its stdin and
// enforces the timeout, so no thread is needed per pipe and no SIGCHLD handler is installed.
#include "golive/local_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <boost/process/pipe.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <system_error>
#include <vector>

namespace golive {
namespace {

namespace bp = boost::process;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kTailBytes = 64 * 1024;
// After the shell exits, output still in flight is read for this long; a background process that
// keeps the pipes open must not hold the caller forever.
constexpr Millis kDrainAfterExit{500};
// Poll interval when an event has no file descriptor (cancel flag, no pidfd support).
constexpr Millis kTick{20};

// Boost.Process creates its exec-error pipe without O_CLOEXEC for a moment; a fork in another
// thread during that moment would inherit it and stall this launch, so launches are serialized.
std::mutex& spawn_mutex() {
  static std::mutex mu;
  return mu;
}

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// A pipe whose ends are close-on-exec, so children started by other threads never inherit them
// (an inherited write end would keep our reader from ever seeing end-of-file).
std::optional<bp::pipe> cloexec_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  return bp::pipe(fds[0], fds[1]);
}

void set_nonblocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// write() that reports EPIPE instead of raising SIGPIPE, without touching the process-wide
// disposition: SIGPIPE is blocked in this thread and a signal this write raised is consumed.
ssize_t write_without_sigpipe(int fd, const char* data, std::size_t size) {
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigset_t pending;
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  sigset_t old;
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  ssize_t n = ::write(fd, data, size);
  const int saved = errno;
  if (n < 0 && saved == EPIPE && !was_pending) {
    const timespec zero{};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return n;
}

// A descriptor that becomes readable when `pid` exits; -1 on kernels without pidfd, where exit is
// polled instead. (The syscall is used directly: glibc 2.36's <sys/pidfd.h> lacks extern "C".)
int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

// True while a live (not zombie) process is in group `pgid`. kill(-pgid, 0) alone counts zombies,
// and an init that reaps slowly would then hold every timeout for the full grace period.
bool group_alive(pid_t pgid) {
  if (::kill(-pgid, 0) != 0 && errno == ESRCH) return false;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // Fields after the parenthesised command: state ppid pgrp ...
    const auto paren = line.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream fields(line.substr(paren + 1));
    char state = 0;
    long ppid = 0;
    long pgrp = 0;
    if (fields >> state >> ppid >> pgrp && pgrp == pgid && state != 'Z' && state != 'X') {
      return true;
    }
  }
  return false;
}

int shell_status(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// The command's process group is this run's responsibility until the run returns: if the run is
// left early (an exception from the output callback), the group is killed and the shell reaped.
class GroupGuard {
 public:
  GroupGuard(bp::child& child, pid_t pgid) : child_(child), pgid_(pgid) {}
  GroupGuard(const GroupGuard&) = delete;
  GroupGuard& operator=(const GroupGuard&) = delete;
  ~GroupGuard() {
    if (done_) return;
    ::kill(-pgid_, SIGKILL);
    std::error_code ec;
    child_.wait(ec);
  }
  void release() { done_ = true; }

 private:
  bp::child& child_;
  pid_t pgid_;
  bool done_ = false;
};

// Checked before starting because a failed chdir in the child cannot be told apart from the
// command's own exit status 127.
Status check_cwd(const LocalRequest& req) {
  if (req.cwd.empty()) return {};
  std::error_code ec;
  if (!std::filesystem::is_directory(req.cwd, ec)) {
    return fail("cannot start local command: working directory '" + req.cwd + "' does not exist",
                ExitCode::kInfra);
  }
  return {};
}

// The child's stdout, stderr and stdin pipes, all close-on-exec.
struct Pipes {
  bp::pipe out, err, in;
};

Result<Pipes> make_pipes() {
  auto out = cloexec_pipe();
  auto err = cloexec_pipe();
  auto in = cloexec_pipe();
  if (!out || !err || !in) {
    return fail(std::string("cannot start local command: pipe: ") + std::strerror(errno),
                ExitCode::kInfra);
  }
  return Pipes{std::move(*out), std::move(*err), std::move(*in)};
}

// Starts `/bin/sh -c command` in a fresh process group, in req.cwd, with req.env added.
Result<bp::child> spawn(const LocalRequest& req, Pipes& pipes) {
  bp::environment env = boost::this_process::environment();
  // set(), not env[key]: Boost 1.74's environment::find compares `key=` against each shorter
  // entry past its end (a heap-buffer-overflow AddressSanitizer reports); set() checks sizes.
  for (const auto& [key, value] : req.env) env.set(key, value);

  const std::string chdir_failed =
      "golive: cannot change to directory '" + req.cwd + "'\n";  // built before fork
  const char* cwd = req.cwd.empty() ? nullptr : req.cwd.c_str();
  // Runs in the child between fork and exec: async-signal-safe calls only.
  auto child_setup = [&](auto&) {
    // A fresh group, so a timeout can kill everything the command started.
    ::setpgid(0, 0);
    // Signal state survives exec: undo whatever this process blocked or ignored.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(SIGPIPE, &dfl, nullptr);
    if (cwd != nullptr && ::chdir(cwd) != 0) {
      [[maybe_unused]] auto n = ::write(STDERR_FILENO, chdir_failed.data(), chdir_failed.size());
      ::_exit(127);
    }
  };
  // Boost.Process does not reap a child whose exec failed.
  auto reap_failed = [](auto& exec, const std::error_code&) {
    if (exec.pid > 0) {
      int status = 0;
      ::waitpid(exec.pid, &status, 0);
    }
  };
  std::error_code ec;
  bp::child child;
  {
    std::lock_guard lock(spawn_mutex());
    child = bp::child(bp::exe = "/bin/sh", bp::args = std::vector<std::string>{"-c", req.command},
                      bp::env = env, bp::std_out > pipes.out, bp::std_err > pipes.err,
                      bp::std_in < pipes.in, bp::extend::on_exec_setup = child_setup,
                      bp::extend::on_error = reap_failed, ec);
  }
  if (ec || !child.valid()) {
    return fail("cannot start local command: " + ec.message(), ExitCode::kInfra);
  }
  return child;
}

// One run's poll() loop: streams the output, feeds stdin, enforces the timeout and cancel flag
// (SIGTERM to the group, SIGKILL after the grace), and drains output still in flight after exit.
class Supervisor {
 public:
  // Takes the parent's ends out of the Boost pipes, so their lifetime is the supervisor's.
  Supervisor(const LocalRequest& req, bp::child& child, Pipes& pipes,
             SteadyClock::time_point started)
      : req_(req),
        child_(child),
        pgid_(child.id()),
        out_fd_(pipes.out.native_source()),
        err_fd_(pipes.err.native_source()),
        in_fd_(pipes.in.native_sink()),
        pidfd_(open_pidfd(child.id())),
        deadline_(started + req.timeout) {
    pipes.out.assign_source(-1);
    pipes.err.assign_source(-1);
    pipes.in.assign_sink(-1);
    set_nonblocking(out_fd_.get());
    set_nonblocking(err_fd_.get());
    set_nonblocking(in_fd_.get());
    if (req.stdin_data.empty()) in_fd_.reset();
  }

  // Runs until the command exited, its group settled and its output is drained (or the drain
  // time ran out). The result's output, timed_out and cancelled are filled in; the exit status
  // is wait_status().
  Result<ExecResult> run() {
    for (;;) {
      const auto now = SteadyClock::now();
      decide(now);
      if (finished(now)) return std::move(result_);
      GOLIVE_RETURN_IF_ERROR(wait_and_transfer(now));
    }
  }

  int wait_status() const { return wait_status_; }

 private:
  // Notes an exit, escalates a timeout or cancel to SIGTERM and then SIGKILL.
  void decide(SteadyClock::time_point now) {
    if (!exited_ && pidfd_.get() < 0) reap_if_exited();
    if (!terminating_ && !exited_) {
      if (now >= deadline_) {
        result_.timed_out = true;
        terminate_group(now);
      } else if (req_.cancel != nullptr && req_.cancel->load()) {
        result_.cancelled = true;
        terminate_group(now);
      }
    }
    if (terminating_ && !killed_) {
      if (now >= kill_at_) {
        ::kill(-pgid_, SIGKILL);
        killed_ = true;
      } else if (exited_ && !group_alive(pgid_)) {
        killed_ = true;  // every member went on SIGTERM
      }
    }
  }

  bool finished(SteadyClock::time_point now) const {
    const bool group_settled = !terminating_ || killed_;
    const bool pipes_open = out_fd_.open() || err_fd_.open();
    return exited_ && group_settled && (!pipes_open || now >= drain_until_);
  }

  // Until the next moment a decision is due; -1: only an fd event can change anything.
  int wait_ms(SteadyClock::time_point now) const {
    SteadyClock::time_point wake = SteadyClock::time_point::max();
    if (!exited_ && !terminating_) wake = std::min(wake, deadline_);
    if (terminating_ && !killed_) wake = std::min(wake, kill_at_);
    if (exited_) wake = std::min(wake, drain_until_);
    const bool needs_tick = (!exited_ && (pidfd_.get() < 0 || req_.cancel != nullptr)) ||
                            (terminating_ && !killed_ && exited_);
    if (needs_tick) wake = std::min(wake, now + kTick);
    if (wake == SteadyClock::time_point::max()) return -1;
    return static_cast<int>(
        std::max<std::int64_t>(0, std::chrono::ceil<Millis>(wake - now).count()));
  }

  // Sleeps until the next fd event or decision, then moves what is ready.
  Status wait_and_transfer(SteadyClock::time_point now) {
    pollfd fds[4];
    nfds_t nfds = 0;
    auto add = [&](const Fd& fd, short events) -> int {
      if (!fd.open()) return -1;
      fds[nfds] = pollfd{fd.get(), events, 0};
      return static_cast<int>(nfds++);
    };
    const int i_out = add(out_fd_, POLLIN);
    const int i_err = add(err_fd_, POLLIN);
    const int i_in = add(in_fd_, POLLOUT);
    const int i_pid = exited_ ? -1 : add(pidfd_, POLLIN);
    if (::poll(fds, nfds, wait_ms(now)) < 0) {
      if (errno == EINTR) return {};
      return fail(std::string("local command: poll: ") + std::strerror(errno), ExitCode::kInfra);
    }
    auto ready = [&](int index) { return index >= 0 && fds[index].revents != 0; };
    if (ready(i_out)) drain(out_fd_, Stream::kStdout);
    if (ready(i_err)) drain(err_fd_, Stream::kStderr);
    if (ready(i_in)) feed_stdin();
    if (ready(i_pid)) reap_if_exited();
    return {};
  }

  // Reads what is there now; a later poll brings the rest without starving the other pipe.
  void drain(Fd& fd, Stream stream) {
    ssize_t n = ::read(fd.get(), buf_.data(), buf_.size());
    if (n > 0) {
      deliver(stream, buf_.data(), static_cast<std::size_t>(n));
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      fd.reset();
    }
  }

  void feed_stdin() {
    ssize_t n = write_without_sigpipe(in_fd_.get(), req_.stdin_data.data() + stdin_off_,
                                      req_.stdin_data.size() - stdin_off_);
    if (n > 0) stdin_off_ += static_cast<std::size_t>(n);
    // The command may stop reading early (EPIPE); that is its business, not an error.
    if (stdin_off_ == req_.stdin_data.size() || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      in_fd_.reset();
    }
  }

  void deliver(Stream stream, const char* data, std::size_t n) {
    result_.output.append(data, n);
    if (result_.output.size() > 2 * kTailBytes) {
      result_.output.erase(0, result_.output.size() - kTailBytes);
    }
    if (req_.on_output) req_.on_output(stream, std::string_view(data, n));
  }

  void reap_if_exited() {
    std::error_code ec;
    if (!child_.running(ec)) {
      exited_ = true;
      wait_status_ = child_.native_exit_code();
      in_fd_.reset();  // nobody is left to read it
      drain_until_ = SteadyClock::now() + kDrainAfterExit;
    }
  }

  void terminate_group(SteadyClock::time_point now) {
    terminating_ = true;
    ::kill(-pgid_, SIGTERM);
    kill_at_ = now + req_.kill_grace;
  }

  const LocalRequest& req_;
  bp::child& child_;
  const pid_t pgid_;
  Fd out_fd_, err_fd_, in_fd_;
  Fd pidfd_;
  const SteadyClock::time_point deadline_;
  ExecResult result_;
  std::vector<char> buf_ = std::vector<char>(64 * 1024);
  std::size_t stdin_off_ = 0;
  bool exited_ = false;
  int wait_status_ = 0;
  bool terminating_ = false;
  bool killed_ = false;
  SteadyClock::time_point kill_at_{};
  SteadyClock::time_point drain_until_{};
};

class BoostLocalProcess final : public LocalProcess {
 public:
  Result<ExecResult> run(const LocalRequest& req) override {
    GOLIVE_RETURN_IF_ERROR(check_cwd(req));
    GOLIVE_TRY(pipes, make_pipes());
    const auto started = SteadyClock::now();
    GOLIVE_TRY(child, spawn(req, *pipes));
    GroupGuard guard(*child, child->id());
    Supervisor supervisor(req, *child, *pipes, started);
    GOLIVE_TRY(result, supervisor.run());
    guard.release();
    if (result->output.size() > kTailBytes) {
      result->output.erase(0, result->output.size() - kTailBytes);
    }
    result->exit_status = shell_status(supervisor.wait_status());
    result->duration = std::chrono::duration_cast<Millis>(SteadyClock::now() - started);
    return result;
  }
};

}  // namespace

std::unique_ptr<LocalProcess> make_local_process() {
  return std::make_unique<BoostLocalProcess>();
}

}  // namespace golive
