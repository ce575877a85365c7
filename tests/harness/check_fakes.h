// Test support for checks and the gate: fakes behind the process/host interfaces and a fake clock.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "golive/clock.h"
#include "golive/gate.h"
#include "golive/local_process.h"
#include "golive/remote_host.h"

namespace golive::testing {

// Answers every command with `result` (or `error` when set) and records the requests.
class FakeLocalProcess final : public LocalProcess {
 public:
  Result<ExecResult> run(const LocalRequest& request) override {
    std::lock_guard lock(mu);
    requests.push_back(request);
    if (!error.empty()) return fail(error, ExitCode::kInfra);
    return result;
  }
  std::mutex mu;
  std::vector<LocalRequest> requests;
  ExecResult result;
  std::string error;
};

class FakeRemoteHost final : public RemoteHost {
 public:
  explicit FakeRemoteHost(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  Result<ExecResult> exec(const ExecRequest& request) override {
    requests.push_back(request);
    if (!error.empty()) return fail(error, ExitCode::kInfra);
    return result;
  }
  Status write_file(const std::string&, std::string_view, int) override { return {}; }
  Result<std::string> read_file(const std::string& path) override {
    return fail("no file " + path);
  }
  std::vector<ExecRequest> requests;
  ExecResult result;
  std::string error;

 private:
  std::string name_;
};

// Time moves only when someone sleeps (or advance() is called); safe across threads.
class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  std::chrono::system_clock::time_point wall() const override {
    std::lock_guard lock(mu_);
    return std::chrono::system_clock::time_point{} +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(now_.time_since_epoch());
  }
  void sleep_for(std::chrono::milliseconds d) override { advance(d); }
  void advance(std::chrono::milliseconds d) {
    std::lock_guard lock(mu_);
    now_ += d;
  }
  // Milliseconds since the clock was made.
  long long elapsed_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now() - start_).count();
  }

 private:
  mutable std::mutex mu_;
  std::chrono::steady_clock::time_point start_{std::chrono::hours(1000)};
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1000)};
};

inline RenderedCheck rendered(std::string name, CheckSpec spec, std::string host = "") {
  RenderedCheck c;
  c.name = std::move(name);
  c.host = std::move(host);
  c.spec = std::move(spec);
  c.timeout = std::chrono::seconds(3);
  return c;
}

}  // namespace golive::testing
