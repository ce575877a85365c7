#include "tests/harness/python_server.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

extern char** environ;

namespace golive::testing {

std::string fixture_python() {
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

std::string fixture_path(const std::string& name) {
  return std::string(GOLIVE_SOURCE_DIR) + "/tests/fixtures/" + name;
}

PythonServer::PythonServer(const std::string& script, const std::vector<std::string>& args,
                           std::chrono::milliseconds ready_timeout) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);

  std::vector<std::string> argv_s{fixture_python(), "-u", fixture_path(script)};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int rc = posix_spawnp(&pid_, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    throw std::runtime_error("could not start " + script);
  }
  reader_ = std::thread([this, fd = fds[0]] { read_loop(fd); });

  std::unique_lock lock(mu_);
  const bool ready = cv_.wait_for(
      lock, ready_timeout, [this] { return eof_ || output_.find('\n') != std::string::npos; });
  if (ready && output_.starts_with("PORT ")) port_ = std::atoi(output_.c_str() + 5);
  if (port_ <= 0) {
    const std::string seen = output_;
    lock.unlock();
    stop();
    throw std::runtime_error(script + " did not report its port; output: " + seen);
  }
}

PythonServer::~PythonServer() {
  stop();
}

void PythonServer::stop() {
  if (pid_ > 0) {
    kill(-pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 200 && waitpid(pid_, &status, WNOHANG) == 0; ++i) usleep(10000);
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
  if (reader_.joinable()) reader_.join();
}

void PythonServer::read_loop(int fd) {
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard lock(mu_);
    if (n <= 0) {
      eof_ = true;
      cv_.notify_all();
      break;
    }
    output_.append(buf, static_cast<std::size_t>(n));
    cv_.notify_all();
  }
  close(fd);
}

std::string PythonServer::url(const std::string& scheme) const {
  return scheme + "://127.0.0.1:" + std::to_string(port_);
}

std::string PythonServer::output() const {
  std::lock_guard lock(mu_);
  return output_;
}

bool PythonServer::wait_for_output(const std::string& needle,
                                   std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    return output_.find(needle) != std::string::npos || eof_;
  }) && output_.find(needle) != std::string::npos;
}

}  // namespace golive::testing
