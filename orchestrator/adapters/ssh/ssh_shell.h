// Private to the libssh adapter: the long-lived remote shell through which an SshHost runs its
// commands. One sshd session channel per command costs the host a fork of the connection's sshd,
// a login shell and a wrapper shell; the shell program below reads framed commands on one channel
// and starts each as `setsid /bin/sh -c CMD` (its own session and process group, as sshd gives
// an exec channel), then frames its exit status on both output streams. Nothing here uses libssh.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace golive::ssh {

// The POSIX sh program of the shell channel; `nonce` (letters and digits) marks its frames and
// ends each command it reads. It answers "ready" first, or "nosetsid" (and exits) on a host
// without setsid(1).
std::string shell_program(const std::string& nonce);

// What to send the shell for one command: the line that announces the command's process group
// on stderr, the `cd` into `cwd` when given, the command, then the nonce line.
std::string shell_command_frame(const std::string& command, const std::string& cwd,
                                const std::string& nonce);

// Splits the shell's frames ("\x1e<nonce>:<kind>[:<value>]\n") out of one output stream: text
// between them goes to `text` as it arrives (a possible frame start is held back until it is
// decided), each frame to `frame(kind, value)`.
class FrameScanner {
 public:
  using TextFn = std::function<void(std::string_view)>;
  using FrameFn = std::function<void(std::string_view kind, std::string_view value)>;
  FrameScanner(std::string nonce, TextFn text, FrameFn frame);
  // Feeds the next bytes of the stream.
  void feed(std::string_view data);
  // Passes on what is held back (the stream ended without completing a frame).
  void flush();

 private:
  std::string prefix_;  // "\x1e<nonce>:"
  std::string held_;
  TextFn text_;
  FrameFn frame_;
};

}  // namespace golive::ssh
