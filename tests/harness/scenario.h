// End-to-end scenarios through the real golive binary: a fresh git repository holding the
// example portal, a runbook pointed at the shared sandbox fleet (each scenario has its own host
// roots and app port, so scenarios never see each other), and a helper to run golive in it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/harness/sandbox_fleet.h"

namespace golive::testing {

struct GoliveRun {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
  std::string all() const { return out + err; }
};

class Scenario {
 public:
  // A repo with examples/portal committed as "v1", on hosts web1..web<hosts> of the shared fleet.
  explicit Scenario(int hosts = 3);
  // The same on a fleet of the test's own (e.g. a two-hop fleet behind a bastion).
  Scenario(int hosts, SandboxFleet& fleet);
  ~Scenario();
  Scenario(const Scenario&) = delete;
  Scenario& operator=(const Scenario&) = delete;

  const std::string& repo() const { return repo_; }
  const std::string& dir() const { return dir_; }  // scratch dir (ledger, webhook logs...)
  std::string ledger() const { return dir_ + "/ledger.db"; }
  int app_port() const { return app_port_; }
  int hosts() const { return hosts_; }
  SandboxFleet& fleet() { return *fleet_; }
  // Release root of webK for this scenario.
  std::string root(int k) const;
  // Address of webK (127.0.0.(10+k) on the shared fleet).
  std::string address(int k) const;

  // The runbook text this scenario starts with; `steps`/`checks` YAML blocks may be replaced.
  std::string default_runbook(const std::string& extra_top_level = "") const;
  // Writes a file in the repo (creating directories).
  void write(const std::string& rel_path, const std::string& content);
  // Sets app/config.json's break list, e.g. {"login"}.
  void set_break(const std::vector<std::string>& modes);
  // Commits everything; returns the short sha.
  std::string commit(const std::string& message);

  // Runs the real binary in the repo with the fleet's ssh config and this scenario's ledger.
  GoliveRun golive(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env = {});
  // Runs a shell command locally; returns stdout (trimmed).
  static std::string sh(const std::string& command, int* exit_status = nullptr);
  // `current` release id on webK ("" when none).
  std::string current(int k) const;
  // HTTP GET through curl; returns the body, then a line "status <code>".
  std::string http_get(const std::string& url) const;
  // The body of webK's own /healthz (this test's request, not golive's): "ok <release>".
  std::string healthz(int k) const;

  // Starts the real binary in the background (as golive() would run it); returns its pid.
  pid_t start_golive(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env = {});
  // Waits for a process started by start_golive and returns its outcome.
  GoliveRun wait_golive(pid_t pid);
  // Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
  static bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

  // The runbook as committed in the repo now (golive.yml).
  std::string runbook() const;
  // Writes golive.yml with `text` after replacing each `from` in it by `to` (throws when a `from`
  // is missing, so a stale test fails loudly instead of testing the default runbook).
  void edit_runbook(const std::vector<std::pair<std::string, std::string>>& replacements);
  // Release ids present under webK's releases/, sorted.
  std::vector<std::string> releases(int k) const;
  // True when webK's root has a releases/ directory (a deploy touched the host).
  bool touched(int k) const;
  // Writes a copy of the fleet's ssh_config that uses `known_hosts_content` as its known_hosts;
  // returns the config's path (pass it as GOLIVE_SSH_CONFIG).
  std::string ssh_config_with_known_hosts(const std::string& known_hosts_content);
  // Release id printed by a deploy ("release <id>: ..."), "" when none.
  static std::string release_id_of(const GoliveRun& run);
  // Whole file as raw bytes ("" when missing).
  static std::string read_file(const std::string& path);
  // Replaces every occurrence of `from` in `text`; throws when there is none.
  static std::string replace(std::string text, const std::string& from, const std::string& to);

 private:
  int hosts_;
  SandboxFleet* fleet_;
  std::string dir_;
  std::string repo_;
  std::string id_;
  int app_port_ = 0;
  std::string command_line(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env) const;
};

// A free TCP port on 127.0.0.1 (bound and released).
int free_tcp_port();

// Replaces the top-level block `key:` (up to the next top-level key) of a runbook text with
// `block` (which starts with `key:` itself, or is empty to drop the block).
std::string replace_block(const std::string& runbook, const std::string& key,
                          const std::string& block);

class PythonServer;

// A webhook receiver on 127.0.0.1 (tests/fixtures/webhook_sink.py): one line per POST body.
class WebhookSink {
 public:
  WebhookSink();
  ~WebhookSink();
  WebhookSink(const WebhookSink&) = delete;
  WebhookSink& operator=(const WebhookSink&) = delete;
  std::string url() const;  // http://127.0.0.1:PORT/hook
  // Every body received so far, oldest first.
  std::vector<std::string> bodies() const;
  // Waits until at least `n` bodies arrived; returns them.
  std::vector<std::string> wait_for(std::size_t n,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  std::string dir_;
  std::unique_ptr<PythonServer> server_;
};

}  // namespace golive::testing
