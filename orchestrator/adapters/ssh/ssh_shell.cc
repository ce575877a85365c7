// The remote shell program and its framing (see ssh_shell.h).
#include "orchestrator/adapters/ssh/ssh_shell.h"

#include <algorithm>
#include <utility>

#include "golive/shell_quote.h"

namespace golive::ssh {

// The command's lines are collected with builtins only (no process per command besides the
// command's own); it runs in the foreground, so its SIGINT/SIGQUIT stay at their defaults (a
// background job's would be ignored), with stdin from /dev/null (the shell's stdin is the command
// stream). setsid(1) does not fork here: the child of a shell without job control is never a
// process group leader, so the command's pid is its process group id.
std::string shell_program(const std::string& nonce) {
  return "n=" + nonce +
         "\n"
         "command -v setsid >/dev/null 2>&1 || { printf '\\036%s:nosetsid\\n' \"$n\"; exit 0; }\n"
         "printf '\\036%s:ready\\n' \"$n\"\n"
         "c= k=0\n"
         "while IFS= read -r l; do\n"
         "  if [ \"$l\" = \"$n\" ]; then\n"
         "    setsid /bin/sh -c \"$c\" </dev/null; s=$?\n"
         "    printf '\\036%s:end:%s\\n' \"$n\" \"$s\"; printf '\\036%s:end:%s\\n' \"$n\" \"$s\" "
         ">&2\n"
         "    c= k=0\n"
         "  elif [ $k -eq 0 ]; then c=$l k=1\n"
         "  else c=\"$c\n$l\"\n"
         "  fi\n"
         "done\n";
}

std::string shell_command_frame(const std::string& command, const std::string& cwd,
                                const std::string& nonce) {
  std::string out = "printf '\\036%s:pgid:%s\\n' " + nonce + " \"$$\" >&2\n";
  if (!cwd.empty()) out += "cd -- " + shell_quote(cwd) + " && ";
  out += command;
  if (out.back() != '\n') out += '\n';
  return out + nonce + "\n";
}

FrameScanner::FrameScanner(std::string nonce, TextFn text, FrameFn frame)
    : prefix_("\x1e" + std::move(nonce) + ":"), text_(std::move(text)), frame_(std::move(frame)) {}

void FrameScanner::feed(std::string_view data) {
  held_.append(data);
  std::size_t from = 0;
  while (from < held_.size()) {
    const auto at = held_.find(prefix_, from);
    if (at == std::string::npos) {
      // Keep the longest tail that could still grow into a frame start.
      std::size_t keep = std::min(held_.size() - from, prefix_.size() - 1);
      while (keep > 0 && held_.compare(held_.size() - keep, keep, prefix_, 0, keep) != 0) --keep;
      if (held_.size() - keep > from) {
        text_(std::string_view(held_).substr(from, held_.size() - keep - from));
      }
      held_.erase(0, held_.size() - keep);
      return;
    }
    if (at > from) text_(std::string_view(held_).substr(from, at - from));
    const auto nl = held_.find('\n', at);
    if (nl == std::string::npos) {
      held_.erase(0, at);
      return;
    }
    std::string_view body(held_.data() + at + prefix_.size(), nl - at - prefix_.size());
    const auto colon = body.find(':');
    frame_(body.substr(0, colon),
           colon == std::string_view::npos ? std::string_view() : body.substr(colon + 1));
    from = nl + 1;
  }
  held_.clear();
}

void FrameScanner::flush() {
  if (!held_.empty()) text_(held_);
  held_.clear();
}

}  // namespace golive::ssh
