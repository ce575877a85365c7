// RemoteHost over one libssh session: commands run through one long-lived shell channel
// (ssh_shell.h), or one channel per command (commands with input, hosts without setsid(1), the
// killer of a timed-out command); SFTP for files.
// One SshHost is used by one thread at a time (libssh sessions are not shareable across threads);
// different hosts may be driven from different threads in parallel.
#include <fcntl.h>
#include <libssh/callbacks.h>
#include <libssh/server.h>  // ssh_send_keepalive (a session call, declared there)
#include <libssh/sftp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <optional>
#include <random>
#include <vector>

#include "golive/shell_quote.h"
#include "orchestrator/adapters/ssh/ssh_internal.h"
#include "orchestrator/adapters/ssh/ssh_shell.h"

namespace golive {
namespace ssh {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kTailBytes = 64 * 1024;
constexpr std::size_t kStdinChunk = 64 * 1024;
constexpr std::size_t kSftpChunk = 32 * 1024;
constexpr std::size_t kMaxReadFile = 64 * 1024 * 1024;
// The wrapper announces the command's process group on stderr before anything else runs.
constexpr std::string_view kMarker = "\x1egolive-pgid:";
constexpr Millis kKillGrace{2000};

// The command as sent: announce $$ (sshd made the session leader, so it is the process group id),
// then replace the login shell with a POSIX sh running the step, so the group is the step's.
// OpenSSH makes the command's shell a session leader; Dropbear does not (its group is the
// connection's), so there the wrapper first becomes a leader with setsid(1), which keeps its pid
// when the caller is not a group leader. `read` from /proc is a builtin: no extra process on
// OpenSSH.
std::string wrap_command(const ExecRequest& request) {
  std::string inner;
  if (!request.cwd.empty()) inner = "cd -- " + shell_quote(request.cwd) + " && ";
  inner += request.command;
  const std::string q = shell_quote(inner);
  return "printf '\\036golive-pgid:%s\\n' \"$$\" >&2; "
         "read -r _ _ _ _ _golive_pg _ < /proc/$$/stat 2>/dev/null; "
         "if [ \"${_golive_pg:-$$}\" != \"$$\" ] && command -v setsid >/dev/null 2>&1; then "
         "exec setsid /bin/sh -c " +
         q + "; fi; exec /bin/sh -c " + q;
}

int signal_number(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, int>, 10> kSignals{{{"HUP", 1},
                                                                              {"INT", 2},
                                                                              {"QUIT", 3},
                                                                              {"ILL", 4},
                                                                              {"ABRT", 6},
                                                                              {"KILL", 9},
                                                                              {"SEGV", 11},
                                                                              {"PIPE", 13},
                                                                              {"ALRM", 14},
                                                                              {"TERM", 15}}};
  for (const auto& [n, v] : kSignals) {
    if (n == name) return v;
  }
  return 127;
}

// Everything the channel callbacks see while one command runs.
struct ExecState {
  const ExecRequest* request = nullptr;
  std::string tail;         // interleaved output, trimmed to the last kTailBytes at the end
  std::string stderr_head;  // stderr held back until the marker line has been stripped
  bool marker_done = false;
  long pgid = 0;
  int exit_status = -1;
  bool closed = false;
  bool stdout_end = false;  // the shell channel framed the end of the command on each stream
  bool stderr_end = false;

  // The command is over: its channel closed, or the shell framed its end on both streams.
  bool finished() const { return closed || (stdout_end && stderr_end); }

  void emit(Stream stream, std::string_view data) {
    if (data.empty()) return;
    tail.append(data);
    if (tail.size() > 2 * kTailBytes) tail.erase(0, tail.size() - kTailBytes);
    if (request->on_output) request->on_output(stream, data);
  }

  void on_stderr(std::string_view data) {
    if (marker_done) return emit(Stream::kStderr, data);
    stderr_head.append(data);
    auto at = stderr_head.find(kMarker);
    if (at != std::string::npos) {
      auto nl = stderr_head.find('\n', at);
      if (nl == std::string::npos) return;  // wait for the rest of the line
      std::string_view digits(stderr_head.data() + at + kMarker.size(), nl - at - kMarker.size());
      std::from_chars(digits.data(), digits.data() + digits.size(), pgid);
      std::string rest = stderr_head.substr(0, at) + stderr_head.substr(nl + 1);
      marker_done = true;
      stderr_head.clear();
      emit(Stream::kStderr, rest);
    } else if (stderr_head.size() > 4096) {  // not our wrapper's output: give up stripping
      marker_done = true;
      std::string rest;
      rest.swap(stderr_head);
      emit(Stream::kStderr, rest);
    }
  }

  void finish() {
    if (!stderr_head.empty()) {
      std::string rest;
      rest.swap(stderr_head);
      marker_done = true;
      emit(Stream::kStderr, rest);
    }
    if (tail.size() > kTailBytes) tail.erase(0, tail.size() - kTailBytes);
  }
};

int on_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr, void* user) {
  auto* st = static_cast<ExecState*>(user);
  std::string_view chunk(static_cast<const char*>(data), len);
  if (is_stderr != 0) {
    st->on_stderr(chunk);
  } else {
    st->emit(Stream::kStdout, chunk);
  }
  return static_cast<int>(len);
}

void on_exit_status(ssh_session, ssh_channel, int status, void* user) {
  static_cast<ExecState*>(user)->exit_status = status;
}

void on_exit_signal(ssh_session, ssh_channel, const char* signal, int, const char*, const char*,
                    void* user) {
  static_cast<ExecState*>(user)->exit_status = 128 + signal_number(signal ? signal : "");
}

void on_close(ssh_session, ssh_channel, void* user) {
  static_cast<ExecState*>(user)->closed = true;
}

// How long the peer has sent nothing at all, from the kernel's TCP_INFO. A frozen sshd (SIGSTOP, a
// hung VM) still ACKs at the TCP level but sends no SSH data, so only this notices it. Empty when
// the transport is not a TCP socket (ProxyCommand pipe); behind a bastion, from its tunnel.
std::optional<Millis> peer_silence(ssh_session s) {
  int fd = ssh_get_fd(s);
  if (fd < 0) return std::nullopt;
  tcp_info info{};
  socklen_t len = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return ssh::tunnel_silence(fd);
  return Millis(info.tcpi_last_data_recv);
}

struct ChannelDeleter {
  void operator()(ssh_channel c) const {
    if (ssh_channel_is_open(c) != 0) ssh_channel_close(c);
    ssh_channel_free(c);
  }
};
using ChannelPtr = std::unique_ptr<ssh_channel_struct, ChannelDeleter>;

// Unregisters the channel callbacks before the channel is freed. libssh keeps a freed channel
// whose peer has not closed it yet and delivers the peer's late exit-status/close to whatever
// callbacks are registered: they point into exec()'s stack frame, long gone by then.
class CallbacksRegistration {
 public:
  CallbacksRegistration(ssh_channel channel, ssh_channel_callbacks callbacks)
      : channel_(channel), callbacks_(callbacks) {
    ssh_set_channel_callbacks(channel_, callbacks_);
  }
  ~CallbacksRegistration() { remove(); }
  // Idempotent; must run before the channel is freed.
  void remove() {
    if (channel_ != nullptr) ssh_remove_channel_callbacks(channel_, callbacks_);
    channel_ = nullptr;
  }
  CallbacksRegistration(const CallbacksRegistration&) = delete;
  CallbacksRegistration& operator=(const CallbacksRegistration&) = delete;

 private:
  ssh_channel channel_;
  ssh_channel_callbacks callbacks_;
};

struct EventDeleter {
  void operator()(ssh_event e) const { ssh_event_free(e); }
};
using EventPtr = std::unique_ptr<ssh_event_struct, EventDeleter>;

// Restores blocking mode (needed by channel setup and SFTP) when the I/O loop ends.
class NonBlocking {
 public:
  explicit NonBlocking(ssh_session s) : s_(s) { ssh_set_blocking(s_, 0); }
  ~NonBlocking() { ssh_set_blocking(s_, 1); }
  NonBlocking(const NonBlocking&) = delete;
  NonBlocking& operator=(const NonBlocking&) = delete;

 private:
  ssh_session s_;
};

std::string sftp_error_text(sftp_session sftp, ssh_session session) {
  switch (sftp_get_error(sftp)) {
    case SSH_FX_NO_SUCH_FILE:
      return "no such file";
    case SSH_FX_PERMISSION_DENIED:
      return "permission denied";
    case SSH_FX_FILE_ALREADY_EXISTS:
      return "file already exists";
    case SSH_FX_OP_UNSUPPORTED:
      return "operation unsupported by the server";
    default:
      return ssh_get_error(session);
  }
}

// The command's stdin, fed from request.stdin_source as far as the channel window allows.
class StdinFeed {
 public:
  explicit StdinFeed(const ExecRequest& request)
      : source_(request.stdin_source), open_(static_cast<bool>(request.stdin_source)) {}
  bool open() const { return open_; }
  bool failed() const { return failed_; }

  enum class Pumped { kWaitForWindow, kMoreReady, kWriteError };
  // Writes what the window takes without blocking; sends EOF when the source is done. kMoreReady:
  // a chunk went out whole, so incoming data can be processed before the next one.
  Pumped pump(ssh_channel channel) {
    while (open_) {
      if (off_ == len_) {
        std::ptrdiff_t n = source_(buf_.data(), buf_.size());
        if (n < 0) {
          failed_ = true;
          open_ = false;
          break;
        }
        if (n == 0) {
          ssh_channel_send_eof(channel);
          open_ = false;
          break;
        }
        off_ = 0;
        len_ = static_cast<std::size_t>(n);
      }
      uint32_t window = ssh_channel_window_size(channel);
      if (window == 0) break;
      auto len = static_cast<uint32_t>(std::min<std::size_t>(window, len_ - off_));
      int w = ssh_channel_write(channel, buf_.data() + off_, len);
      if (w < 0) return Pumped::kWriteError;
      off_ += static_cast<std::size_t>(w);
      if (w == 0) break;
      if (off_ == len_) return Pumped::kMoreReady;  // let incoming data be processed between chunks
    }
    return Pumped::kWaitForWindow;
  }

 private:
  const InputSource& source_;
  bool open_;
  bool failed_ = false;
  std::vector<char> buf_ = std::vector<char>(kStdinChunk);
  std::size_t off_ = 0, len_ = 0;
};

// Why a command's I/O loop ended before the command closed its channel.
struct Interruption {
  bool timed_out = false;
  bool cancelled = false;
  bool stdin_failed = false;
  bool any() const { return timed_out || cancelled || stdin_failed; }
};

// The outcome of a finished command (a shell or a channel of its own): its status, its output
// tail and how it ended.
ExecResult result_of(ExecState& st, const Interruption& why, Clock::time_point started) {
  ExecResult result;
  result.exit_status = st.exit_status;
  result.timed_out = why.timed_out;
  result.cancelled = why.cancelled;
  result.output = std::move(st.tail);
  result.duration = std::chrono::duration_cast<Millis>(Clock::now() - started);
  return result;
}

// A timeout can fire before the group marker arrived: give it a moment so the group can be
// killed.
void wait_for_group_marker(ssh_event event, ssh_session s, const ExecState& st) {
  auto until = Clock::now() + Millis(2000);
  while (st.pgid == 0 && !st.finished() && Clock::now() < until && ssh_is_connected(s) != 0) {
    if (ssh_event_dopoll(event, 50) == SSH_ERROR) break;
  }
}

// The shell channel of one SshHost (ssh_shell.h): started by the first command without input,
// reused by the next ones; replaced after a timeout, a cancel or its end. Its callbacks stay
// registered for its whole life and route the output to the command running, if any.
struct ShellChannel {
  explicit ShellChannel(const std::string& nonce_text)
      : nonce(nonce_text),
        out(
            nonce_text, [this](std::string_view t) { text(Stream::kStdout, t); },
            [this](std::string_view k, std::string_view v) { frame(false, k, v); }),
        err(
            nonce_text, [this](std::string_view t) { text(Stream::kStderr, t); },
            [this](std::string_view k, std::string_view v) { frame(true, k, v); }) {}

  void text(Stream stream, std::string_view t) {
    if (current != nullptr) current->emit(stream, t);
  }
  void frame(bool is_stderr, std::string_view kind, std::string_view value) {
    long number = -1;
    std::from_chars(value.data(), value.data() + value.size(), number);
    if (kind == "ready") ready = true;
    if (kind == "nosetsid") unsupported = true;
    if (current == nullptr) return;
    if (kind == "pgid" && is_stderr) current->pgid = number;
    if (kind == "end") {
      (is_stderr ? current->stderr_end : current->stdout_end) = true;
      current->exit_status = static_cast<int>(number);
    }
  }

  std::string nonce;
  FrameScanner out, err;
  ExecState* current = nullptr;
  bool ready = false, unsupported = false, closed = false;
  ChannelPtr channel;
  ssh_channel_callbacks_struct callbacks{};
  std::optional<CallbacksRegistration> registration;  // removed before `channel` is freed
};

int on_shell_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr, void* user) {
  auto* sh = static_cast<ShellChannel*>(user);
  std::string_view chunk(static_cast<const char*>(data), len);
  (is_stderr != 0 ? sh->err : sh->out).feed(chunk);
  return static_cast<int>(len);
}

// The shell itself ended (killed with the command's session, say): its status is the command's.
void on_shell_exit_status(ssh_session, ssh_channel, int status, void* user) {
  auto* sh = static_cast<ShellChannel*>(user);
  if (sh->current != nullptr && !sh->current->stdout_end) sh->current->exit_status = status;
}

void on_shell_exit_signal(ssh_session, ssh_channel, const char* signal, int, const char*,
                          const char*, void* user) {
  auto* sh = static_cast<ShellChannel*>(user);
  if (sh->current != nullptr && !sh->current->stdout_end) {
    sh->current->exit_status = 128 + signal_number(signal ? signal : "");
  }
}

void on_shell_close(ssh_session, ssh_channel, void* user) {
  auto* sh = static_cast<ShellChannel*>(user);
  sh->closed = true;
  if (sh->current != nullptr) sh->current->closed = true;
}

// Drives the session until `done()` or `limit` (or the connection is gone).
template <class Done>
void poll_until(ssh_session s, Millis limit, Done done) {
  EventPtr event(ssh_event_new());
  ssh_event_add_session(event.get(), s);
  NonBlocking nonblocking(s);
  const auto until = Clock::now() + limit;
  while (!done() && Clock::now() < until && ssh_is_connected(s) != 0) {
    if (ssh_event_dopoll(event.get(), 50) == SSH_ERROR) break;
  }
  ssh_event_remove_session(event.get(), s);
}

// A fresh random nonce for the shell's frames (letters and digits only).
std::string make_nonce() {
  std::random_device rd;
  std::string n = "golive";
  for (int i = 0; i < 4; ++i) n += std::to_string(rd());
  return n;
}

class SshHost final : public RemoteHost {
 public:
  SshHost(std::string name, std::string address, SessionPtr session, Millis alive_timeout)
      : name_(std::move(name)),
        address_(std::move(address)),
        session_(std::move(session)),
        alive_timeout_(alive_timeout) {}
  ~SshHost() override {
    shell_.reset();
    if (sftp_ != nullptr) sftp_free(sftp_);
  }
  SshHost(const SshHost&) = delete;
  SshHost& operator=(const SshHost&) = delete;

  const std::string& name() const override { return name_; }
  Result<ExecResult> exec(const ExecRequest& request) override;
  Status write_file(const std::string& path, std::string_view content, int mode) override;
  Result<std::string> read_file(const std::string& path) override;

 private:
  std::string where() const { return name_ + " (" + address_ + ")"; }
  std::unexpected<Error> dropped(const std::string& during) const {
    return fail(
        "connection to " + where() + " dropped " + during + ": " + ssh_get_error(session_.get()),
        ExitCode::kInfra);
  }
  std::unexpected<Error> stopped_answering() const {
    return fail(where() + " stopped answering: nothing received for " +
                    format_duration(alive_timeout_) + ", not even a reply to a keepalive",
                ExitCode::kInfra);
  }
  Result<ExecResult> exec_on_channel(const ExecRequest& request, bool kill_on_timeout = true);
  Result<ExecResult> exec_in_shell(const ExecRequest& request);
  Result<bool> start_shell();
  Status run_io_loop(ssh_channel channel, const ExecState& st, ssh_event event,
                     const ExecRequest& request, Clock::time_point deadline, StdinFeed& stdin_feed,
                     Interruption& why);
  void kill_group(long pgid);
  bool peer_stopped_answering(Clock::time_point now);
  Result<sftp_session> sftp();

  std::string name_;
  std::string address_;
  SessionPtr session_;
  Millis alive_timeout_;
  Clock::time_point last_probe_{};
  bool stopped_answering_ = false;  // sticky: later calls fail at once, naming the host
  sftp_session sftp_ = nullptr;
  std::unique_ptr<ShellChannel> shell_;
  bool shell_unusable_ = false;  // sticky: no setsid(1) there, or the shell would not start
};

Result<ExecResult> SshHost::exec(const ExecRequest& request) {
  if (request.stdin_source) return exec_on_channel(request);
  GOLIVE_TRY(usable, start_shell());
  return *usable ? exec_in_shell(request) : exec_on_channel(request);
}

// Starts the shell channel unless one is running: false when this host cannot have one (the
// command then gets a channel of its own), an error when the connection is gone.
Result<bool> SshHost::start_shell() {
  if (shell_ && !shell_->closed) return true;
  shell_.reset();
  if (shell_unusable_) return false;
  if (stopped_answering_) return stopped_answering();
  ssh_session s = session_.get();
  if (ssh_is_connected(s) == 0) return dropped("before a command");
  auto sh = std::make_unique<ShellChannel>(make_nonce());
  sh->channel.reset(ssh_channel_new(s));
  if (!sh->channel || ssh_channel_open_session(sh->channel.get()) != SSH_OK) {
    return dropped("while opening a channel");
  }
  sh->callbacks.userdata = sh.get();
  sh->callbacks.channel_data_function = on_shell_data;
  sh->callbacks.channel_close_function = on_shell_close;
  sh->callbacks.channel_exit_status_function = on_shell_exit_status;
  sh->callbacks.channel_exit_signal_function = on_shell_exit_signal;
  ssh_callbacks_init(&sh->callbacks);
  sh->registration.emplace(sh->channel.get(), &sh->callbacks);
  const std::string start = "exec /bin/sh -c " + shell_quote(shell_program(sh->nonce));
  if (ssh_channel_request_exec(sh->channel.get(), start.c_str()) != SSH_OK) {
    return dropped("while starting a command");
  }
  poll_until(s, Millis(15000), [&] { return sh->ready || sh->unsupported || sh->closed; });
  if (ssh_is_connected(s) == 0) return dropped("while starting a command");
  if (!sh->ready) {
    shell_unusable_ = true;  // e.g. no setsid(1): every command gets its own channel
    return false;
  }
  shell_ = std::move(sh);
  return true;
}

// Runs one command through the shell channel: sends its frame, moves its output until the shell
// frames its end on both streams. A timeout or cancel kills the command's process group (from a
// channel of its own) and waits briefly for the shell to frame the end; a shell that does not is
// replaced by the next command.
Result<ExecResult> SshHost::exec_in_shell(const ExecRequest& request) {
  ssh_session s = session_.get();
  const auto started = Clock::now();
  const auto deadline = started + request.timeout;
  ShellChannel& sh = *shell_;
  ExecState st;
  st.request = &request;
  st.marker_done = true;  // the shell frames the process group
  sh.current = &st;
  // Unhooks `st` from the shell on every return; the shell itself may be gone by then (replaced
  // after a drop or an out-of-step end), so it is reached through `shell_`, never through `sh`.
  struct Detach {
    std::unique_ptr<ShellChannel>& shell;
    ~Detach() {
      if (shell) shell->current = nullptr;
    }
  } detach{shell_};
  const std::string frame = shell_command_frame(request.command, request.cwd, sh.nonce);
  if (ssh_channel_write(sh.channel.get(), frame.data(), static_cast<uint32_t>(frame.size())) !=
      static_cast<int>(frame.size())) {
    shell_.reset();
    return dropped("while starting a command");
  }
  StdinFeed no_input(request);
  Interruption why;
  EventPtr event(ssh_event_new());
  ssh_event_add_session(event.get(), s);
  {
    NonBlocking nonblocking(s);
    if (auto ran = run_io_loop(sh.channel.get(), st, event.get(), request, deadline, no_input, why);
        !ran) {
      shell_.reset();
      return std::unexpected(ran.error());
    }
    if (why.any() && st.pgid == 0 && !st.finished()) wait_for_group_marker(event.get(), s, st);
    ssh_event_remove_session(event.get(), s);
  }
  if (why.any() && !st.finished()) {
    if (st.pgid > 1) kill_group(st.pgid);
    poll_until(s, Millis(3000), [&] { return st.finished(); });  // framed once it is dead
  }
  if (!st.stdout_end || !st.stderr_end) shell_.reset();  // ended or out of step: start afresh
  st.finish();
  return result_of(st, why, started);
}

Result<ExecResult> SshHost::exec_on_channel(const ExecRequest& request, bool kill_on_timeout) {
  ssh_session s = session_.get();
  // A host that stopped answering would make every later call wait out a timeout of its own.
  if (stopped_answering_) return stopped_answering();
  if (ssh_is_connected(s) == 0) return dropped("before a command");
  const auto started = Clock::now();
  const auto deadline = started + request.timeout;

  ChannelPtr channel(ssh_channel_new(s));
  if (!channel || ssh_channel_open_session(channel.get()) != SSH_OK) {
    return dropped("while opening a channel");
  }
  ExecState st;
  st.request = &request;
  ssh_channel_callbacks_struct callbacks{};
  callbacks.userdata = &st;
  callbacks.channel_data_function = on_data;
  callbacks.channel_exit_status_function = on_exit_status;
  callbacks.channel_exit_signal_function = on_exit_signal;
  callbacks.channel_close_function = on_close;
  ssh_callbacks_init(&callbacks);
  // Declared after `channel`, `st` and `callbacks`: unregistered before any of them goes away.
  CallbacksRegistration registration(channel.get(), &callbacks);

  if (ssh_channel_request_exec(channel.get(), wrap_command(request).c_str()) != SSH_OK) {
    return dropped("while starting a command");
  }

  StdinFeed stdin_feed(request);
  if (!stdin_feed.open()) ssh_channel_send_eof(channel.get());
  Interruption why;

  EventPtr event(ssh_event_new());
  ssh_event_add_session(event.get(), s);
  {
    NonBlocking nonblocking(s);
    GOLIVE_RETURN_IF_ERROR(
        run_io_loop(channel.get(), st, event.get(), request, deadline, stdin_feed, why));
    if (why.any() && st.pgid == 0 && !st.closed) wait_for_group_marker(event.get(), s, st);
    ssh_event_remove_session(event.get(), s);
  }

  if (why.any() && !st.closed && kill_on_timeout) {
    if (st.pgid > 1) kill_group(st.pgid);
  }
  registration.remove();
  channel.reset();
  st.finish();
  if (why.stdin_failed) {
    return fail("input for a command on " + where() + " could not be produced", ExitCode::kInfra);
  }
  return result_of(st, why, started);
}

// Moves input and output until the command closes its channel, or it is interrupted (`why`:
// timeout, cancel, failed input). An error when the connection drops or the peer stops answering;
// the session is then already removed from `event`.
Status SshHost::run_io_loop(ssh_channel channel, const ExecState& st, ssh_event event,
                            const ExecRequest& request, Clock::time_point deadline,
                            StdinFeed& stdin_feed, Interruption& why) {
  ssh_session s = session_.get();
  while (!st.finished()) {
    if (request.cancel != nullptr && request.cancel->load()) {
      why.cancelled = true;
      return {};
    }
    auto now = Clock::now();
    if (now >= deadline) {
      why.timed_out = true;
      return {};
    }
    // Feed stdin as far as the channel window allows; never block on it.
    const auto pumped = stdin_feed.pump(channel);
    if (pumped == StdinFeed::Pumped::kWriteError) return dropped("while sending input");
    if (stdin_feed.failed()) {
      why.stdin_failed = true;
      return {};
    }
    auto left = std::chrono::duration_cast<Millis>(deadline - now);
    int wait_ms = pumped == StdinFeed::Pumped::kMoreReady
                      ? 0
                      : static_cast<int>(std::clamp<Millis::rep>(left.count(), 1, 100));
    int rc = ssh_event_dopoll(event, wait_ms);
    if (rc == SSH_ERROR || ssh_is_connected(s) == 0) {
      if (st.finished()) return {};
      ssh_event_remove_session(event, s);
      return dropped("during a command");
    }
    if (peer_stopped_answering(Clock::now())) {
      ssh_event_remove_session(event, s);
      stopped_answering_ = true;
      return stopped_answering();
    }
  }
  return {};
}

// Sends a keepalive when the peer has been quiet for a fifth of the alive timeout (sshd answers
// it even while the command prints nothing); true once it has been silent for the whole timeout.
bool SshHost::peer_stopped_answering(Clock::time_point now) {
  if (alive_timeout_.count() <= 0) return false;
  auto silence = peer_silence(session_.get());
  if (!silence) return false;
  const Millis probe_every = std::max(Millis(200), alive_timeout_ / 5);
  if (*silence >= probe_every && now - last_probe_ >= probe_every) {
    ssh_send_keepalive(session_.get());
    last_probe_ = now;
  }
  return *silence >= alive_timeout_;
}

// TERM the whole process group, then KILL whatever is still alive after a short grace. The grace
// is polled with the shell's builtin `kill -0` (no `ps` per round, so a loaded host does not
// stretch it past the killer's own timeout); zombies still answer `kill -0`, which only costs the
// full grace before the KILL, and KILL is always sent at the end. The killer runs on a channel of
// its own (the shell channel is busy with the command) and is never killed in turn.
void SshHost::kill_group(long pgid) {
  const std::string g = std::to_string(pgid);
  const int rounds = static_cast<int>(kKillGrace.count() / 100);
  ExecRequest killer;
  // `kill -s SIG -- -PGID` is the spelling dash and bash both accept; dash's `kill -0` takes no
  // `--`.
  killer.command = "kill -s TERM -- -" + g + " 2>/dev/null || exit 0; i=0; while [ $i -lt " +
                   std::to_string(rounds) + " ]; do kill -0 -" + g +
                   " 2>/dev/null || break; sleep 0.1; i=$((i+1)); done; kill -s KILL -- -" + g +
                   " 2>/dev/null; exit 0";
  killer.timeout = kKillGrace + Millis(5000);
  (void)exec_on_channel(killer, false);  // best effort: the channel is closed whatever happens
}

Result<sftp_session> SshHost::sftp() {
  if (stopped_answering_) return stopped_answering();
  if (sftp_ != nullptr) return sftp_;
  sftp_session sftp = sftp_new(session_.get());
  if (sftp == nullptr) return dropped("while starting SFTP");
  if (sftp_init(sftp) != SSH_OK) {
    std::string why = ssh_get_error(session_.get());
    sftp_free(sftp);
    return fail("SFTP is not available on " + where() + ": " + why, ExitCode::kInfra);
  }
  sftp_ = sftp;
  return sftp_;
}

Status SshHost::write_file(const std::string& path, std::string_view content, int mode) {
  GOLIVE_TRY(sftp, this->sftp());
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::random_device rd;
  const std::string tmp =
      dir + "." + base + ".golive-tmp-" + std::to_string(rd()) + std::to_string(rd());
  const mode_t m = static_cast<mode_t>(mode);

  auto failed = [&](const std::string& what) {
    std::string why = sftp_error_text(*sftp, session_.get());
    sftp_unlink(*sftp, tmp.c_str());
    return fail("cannot " + what + " " + path + " on " + where() + ": " + why, ExitCode::kInfra);
  };
  // The mode is set at creation, so a secret file is never readable by others, even briefly.
  sftp_file file = sftp_open(*sftp, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, m);
  if (file == nullptr) {
    return fail(
        "cannot create " + tmp + " on " + where() + ": " + sftp_error_text(*sftp, session_.get()),
        ExitCode::kInfra);
  }
  std::size_t off = 0;
  while (off < content.size()) {
    std::size_t n = std::min(kSftpChunk, content.size() - off);
    ssize_t w = sftp_write(file, content.data() + off, n);
    if (w <= 0) {
      sftp_close(file);
      return failed("write");
    }
    off += static_cast<std::size_t>(w);
  }
  if (sftp_extension_supported(*sftp, "fsync@openssh.com", "1") != 0 && sftp_fsync(file) != 0) {
    sftp_close(file);
    return failed("fsync");
  }
  if (sftp_close(file) != SSH_OK) return failed("close");
  // The server's umask may have narrowed the mode at creation; make it exact.
  if (sftp_chmod(*sftp, tmp.c_str(), m) != 0) return failed("chmod");
  // SFTP v3 rename refuses to replace an existing file and libssh 0.10 does not send
  // posix-rename@openssh.com, so the replace is one rename(2) by `mv` (paths only, never content).
  ExecRequest mv;
  mv.command = "mv -f -- " + shell_quote(tmp) + " " + shell_quote(path);
  mv.timeout = Millis(30000);
  GOLIVE_TRY(moved, exec(mv));
  if (moved->exit_status != 0) {
    sftp_unlink(*sftp, tmp.c_str());
    return fail("cannot rename into " + path + " on " + where() + ": " + moved->output,
                ExitCode::kInfra);
  }
  return {};
}

Result<std::string> SshHost::read_file(const std::string& path) {
  GOLIVE_TRY(sftp, this->sftp());
  sftp_file file = sftp_open(*sftp, path.c_str(), O_RDONLY, 0);
  if (file == nullptr) {
    return fail(
        "cannot read " + path + " on " + where() + ": " + sftp_error_text(*sftp, session_.get()),
        ExitCode::kInfra);
  }
  std::string out;
  std::vector<char> buf(kSftpChunk);
  while (true) {
    ssize_t n = sftp_read(file, buf.data(), buf.size());
    if (n < 0) {
      std::string why = sftp_error_text(*sftp, session_.get());
      sftp_close(file);
      return fail("cannot read " + path + " on " + where() + ": " + why, ExitCode::kInfra);
    }
    if (n == 0) break;
    out.append(buf.data(), static_cast<std::size_t>(n));
    if (out.size() > kMaxReadFile) {
      sftp_close(file);
      return fail(path + " on " + where() + " is too large to read (over 64 MiB)",
                  ExitCode::kInfra);
    }
  }
  sftp_close(file);
  return out;
}

}  // namespace

std::unique_ptr<RemoteHost> make_ssh_host(std::string name, std::string address, SessionPtr session,
                                          Millis alive_timeout) {
  return std::make_unique<SshHost>(std::move(name), std::move(address), std::move(session),
                                   alive_timeout);
}

}  // namespace ssh
}  // namespace golive
