// Test support: runs a python fixture server (tests/fixtures/*.py) on a free loopback port.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace golive::testing {

// Starts `python3 tests/fixtures/<script> args...`, waits until it prints "PORT <n>", and kills its
// whole process group on destruction. Throws std::runtime_error when it does not come up.
class PythonServer {
 public:
  PythonServer(const std::string& script, const std::vector<std::string>& args,
               std::chrono::milliseconds ready_timeout = std::chrono::seconds(10));
  ~PythonServer();
  PythonServer(const PythonServer&) = delete;
  PythonServer& operator=(const PythonServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port>" (or https).
  std::string url(const std::string& scheme = "http") const;
  // Everything printed on stdout so far.
  std::string output() const;
  // Waits until stdout contains `needle`; false on timeout.
  bool wait_for_output(const std::string& needle,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

 private:
  void read_loop(int fd);
  void stop();

  pid_t pid_ = -1;
  int port_ = 0;
  std::thread reader_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::string output_;
  bool eof_ = false;
};

// The python interpreter for fixtures: Debian's /usr/bin/python3 (it has python3-aiosmtpd).
std::string fixture_python();

// Absolute path of tests/fixtures/<name>.
std::string fixture_path(const std::string& name);

}  // namespace golive::testing
