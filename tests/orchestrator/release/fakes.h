// Fakes for the release flow: scripted hosts behind RemoteHost/HostConnector that record, in one
// shared timeline, when each command started and finished on which host.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "golive/remote_host.h"

namespace golive::testing {

// What hosts did, in order, across threads: "web1 start migrate", "web1 end migrate".
class Timeline {
 public:
  void add(const std::string& event) {
    std::lock_guard lock(mu_);
    events_.push_back(event);
  }
  std::vector<std::string> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  // Position of `event`, or -1.
  int index_of(const std::string& event) const {
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < events_.size(); ++i) {
      if (events_[i] == event) return static_cast<int>(i);
    }
    return -1;
  }
  // How many commands ran at once at the busiest moment.
  int peak_concurrency() const {
    std::lock_guard lock(mu_);
    int now = 0, peak = 0;
    for (const auto& e : events_) {
      if (e.find(" start ") != std::string::npos) peak = std::max(peak, ++now);
      if (e.find(" end ") != std::string::npos || e.find(" timed out ") != std::string::npos ||
          e.find(" cancelled ") != std::string::npos) {
        --now;
      }
    }
    return peak;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> events_;
};

// The step's own command: the last line of what the step wrapper sends (cd, .env, command).
inline std::string step_command(const std::string& wrapped) {
  auto nl = wrapped.rfind('\n');
  return nl == std::string::npos ? wrapped : wrapped.substr(nl + 1);
}

// How a fleet answers: by default every command exits 0 after `delay`; `exit_status[host][cmd]`
// overrides the status of one command on one host, `runs_for[cmd]` how long it runs. A command
// still running when its request's timeout passes is timed out, when its cancel flag is set
// cancelled, as the real hosts kill its process group.
struct FleetScript {
  std::chrono::milliseconds delay{5};
  std::map<std::string, std::map<std::string, int>> exit_status;
  std::map<std::string, std::chrono::milliseconds> runs_for;
  std::map<std::string, std::string> unreachable;  // host -> connect error
  Timeline timeline;
};

class ScriptedHost final : public RemoteHost {
 public:
  ScriptedHost(std::string name, FleetScript& script) : name_(std::move(name)), script_(script) {}
  const std::string& name() const override { return name_; }
  Result<ExecResult> exec(const ExecRequest& request) override {
    const std::string cmd = step_command(request.command);
    script_.timeline.add(name_ + " start " + cmd);
    ExecResult r =
        run_for(request, script_.runs_for.contains(cmd) ? script_.runs_for.at(cmd) : script_.delay);
    if (!r.timed_out && !r.cancelled) {
      r.exit_status = 0;
      if (auto h = script_.exit_status.find(name_); h != script_.exit_status.end()) {
        if (auto c = h->second.find(cmd); c != h->second.end()) r.exit_status = c->second;
      }
    }
    r.output = cmd + " on " + name_ + "\n";
    script_.timeline.add(name_ +
                         (r.timed_out   ? " timed out "
                          : r.cancelled ? " cancelled "
                                        : " end ") +
                         cmd);
    return r;
  }
  Status write_file(const std::string&, std::string_view, int) override { return {}; }
  Result<std::string> read_file(const std::string& path) override {
    return fail("no file " + path);
  }

 private:
  // Sleeps up to `runs`, in small slices so a timeout or a cancel ends it early.
  static ExecResult run_for(const ExecRequest& request, std::chrono::milliseconds runs) {
    using std::chrono::steady_clock;
    const auto start = steady_clock::now();
    ExecResult r;
    while (steady_clock::now() - start < runs) {
      if (steady_clock::now() - start >= request.timeout) {
        r.timed_out = true;
        break;
      }
      if (request.cancel != nullptr && request.cancel->load()) {
        r.cancelled = true;
        break;
      }
      std::this_thread::sleep_for(std::min(std::chrono::milliseconds(2), runs));
    }
    r.duration = std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - start);
    return r;
  }

  std::string name_;
  FleetScript& script_;
};

// Connects to ScriptedHosts; a host listed in script.unreachable fails to connect (exit 5).
class FakeConnector final : public HostConnector {
 public:
  explicit FakeConnector(FleetScript& script) : script_(script) {}
  Result<std::unique_ptr<RemoteHost>> connect(const Host& host) override {
    if (auto it = script_.unreachable.find(host.name); it != script_.unreachable.end()) {
      return fail(host.name + ": " + it->second, ExitCode::kInfra);
    }
    return std::make_unique<ScriptedHost>(host.name, script_);
  }
  Result<HostKeyInfo> probe_host_key(const Host& host) override {
    return HostKeyInfo{host.name, host.address, "ssh-ed25519", "SHA256:fake",
                       HostKeyInfo::State::kTrusted};
  }
  Status trust_host_key(const Host&, const HostKeyInfo&) override { return {}; }

 private:
  FleetScript& script_;
};

}  // namespace golive::testing
