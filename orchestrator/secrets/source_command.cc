// Runs the command behind an env_from source through the LocalProcess adapter (Boost.Process):
// stdout is collected in memory and returned, never logged or written anywhere; stderr is kept
// only to explain a failure, redacted; the command's process group is killed on timeout.
#include <filesystem>
#include <sstream>

#include "golive/duration.h"
#include "orchestrator/secrets/env_sources.h"

namespace golive {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxStdout = 8 * 1024 * 1024;
constexpr std::size_t kMaxStderr = 64 * 1024;
constexpr std::size_t kStderrLines = 12;

bool on_path(const std::string& program, const std::map<std::string, std::string>& env) {
  auto it = env.find("PATH");
  std::string path = it == env.end() ? "/usr/local/bin:/usr/bin:/bin" : it->second;
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) dir = ".";
    std::error_code ec;
    const fs::path candidate = fs::path(dir) / program;
    constexpr auto kExec = fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec;
    if (fs::is_regular_file(candidate, ec) &&
        (fs::status(candidate, ec).permissions() & kExec) != fs::perms::none) {
      return true;
    }
  }
  return false;
}

// The last lines of stderr, each redacted by `known` and by everything the command printed on
// stdout (a CLI that fails may still echo part of what it read).
std::string stderr_tail(const std::string& err, const std::string& out, const Redactor& known) {
  Redactor redactor(known);
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    redactor.add("stdout", line);
    if (auto eq = line.find('='); eq != std::string::npos)
      redactor.add("stdout", line.substr(eq + 1));
  }
  std::vector<std::string> tail;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    tail.push_back(line);
    if (tail.size() > kStderrLines) tail.erase(tail.begin());
  }
  std::string text;
  for (const auto& line : tail) text += "\n  stderr: " + redactor.redact(line);
  return text;
}

}  // namespace

std::string source_path(const SourceContext& ctx, const std::string& path) {
  if (path.starts_with("~/")) {
    auto home = ctx.process_env.find("HOME");
    if (home != ctx.process_env.end()) return (fs::path(home->second) / path.substr(2)).string();
  }
  if (path.empty() || fs::path(path).is_absolute() || ctx.runbook.dir.empty()) return path;
  return (fs::path(ctx.runbook.dir) / path).string();
}

Result<std::string> run_source_command(const SourceCommand& cmd, const std::string& label,
                                       const SourceContext& ctx, const Redactor& known) {
  auto blocked = [&](const std::string& why) {
    return fail(label + ": " + why, ExitCode::kPreflight);
  };
  if (ctx.local == nullptr) return blocked("no local process runner to run its command");
  if (!cmd.program.empty() && !on_path(cmd.program, ctx.process_env)) {
    return blocked("`" + cmd.program + "` is not installed (not found on PATH)");
  }
  std::string out;
  std::string err;
  bool too_much = false;
  LocalRequest req;
  req.command = cmd.command;
  req.cwd = ctx.runbook.dir.empty() ? "" : ctx.runbook.dir;
  req.timeout = cmd.timeout;
  req.kill_grace = std::chrono::seconds(1);
  req.stdin_data = cmd.stdin_data;
  // The command sees the environment golive was given (tests inject one; in production they are
  // the same), so the CLI found on PATH above is the one that runs.
  for (const char* name : {"PATH", "HOME"}) {
    if (auto it = ctx.process_env.find(name); it != ctx.process_env.end())
      req.env[name] = it->second;
  }
  req.on_output = [&](Stream stream, std::string_view chunk) {
    if (stream == Stream::kStdout) {
      if (out.size() + chunk.size() > kMaxStdout) {
        too_much = true;
      } else {
        out.append(chunk);
      }
    } else {
      err.append(chunk);
      if (err.size() > kMaxStderr) err.erase(0, err.size() - kMaxStderr);
    }
  };
  auto result = ctx.local->run(req);
  if (!result) return blocked("cannot run its command: " + result.error().message);
  const std::string tail = stderr_tail(err, out, known);
  const std::string what = cmd.program.empty() ? "its command" : "`" + cmd.program + "`";
  if (result->timed_out) {
    return blocked(what + " did not finish within " + format_duration(cmd.timeout) +
                   " (killed with its process group)" + tail);
  }
  if (result->exit_status == 127) {
    return blocked(what + " failed: command not found (exit status 127)" + tail);
  }
  if (result->exit_status != 0) {
    return blocked(what + " exited with status " + std::to_string(result->exit_status) + tail);
  }
  if (too_much) return blocked(what + " printed more than 8 MiB on stdout");
  return out;
}

}  // namespace golive
