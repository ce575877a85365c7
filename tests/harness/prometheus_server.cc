#include "tests/harness/prometheus_server.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "golive/shell_quote.h"
#include "tests/harness/scenario.h"
#include "tests/harness/scoped_temp_dir.h"

extern char** environ;

namespace golive::testing {
namespace {

constexpr const char* kBinary = "/usr/bin/prometheus";

}  // namespace

std::string PrometheusServer::unavailable_reason() {
  return std::filesystem::exists(kBinary) ? "" : std::string(kBinary) + " is not installed";
}

PrometheusServer::PrometheusServer(const std::vector<std::string>& targets)
    : dir_(std::make_unique<ScopedTempDir>("golive-prometheus")), port_(free_tcp_port()) {
  std::string list;
  for (const auto& t : targets) list += (list.empty() ? "'" : ", '") + t + "'";
  dir_->write("prometheus.yml",
              "global: { scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 900ms }\n"
              "scrape_configs:\n  - job_name: app\n    static_configs:\n      - targets: [" +
                  list + "]\n");
  const std::string log = dir_->file("prometheus.log");
  std::vector<std::string> args{kBinary, "--config.file=" + dir_->file("prometheus.yml"),
                                "--storage.tsdb.path=" + dir_->file("data"),
                                "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                "--log.level=warn"};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int rc = posix_spawn(&pid_, kBinary, &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("could not start prometheus");
  const bool ready = Scenario::wait_until(
      [this] {
        int status = 1;
        Scenario::sh("curl -sf -o /dev/null " + shell_quote(url() + "/-/ready"), &status);
        return status == 0;
      },
      std::chrono::seconds(30));
  if (!ready) {
    const std::string seen = Scenario::read_file(log);
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    throw std::runtime_error("prometheus did not become ready; its log:\n" + seen);
  }
}

PrometheusServer::~PrometheusServer() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 500 && waitpid(pid_, &status, WNOHANG) == 0; ++i) usleep(10000);
  if (waitpid(pid_, &status, WNOHANG) == 0) {
    kill(-pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
}

std::string PrometheusServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::string PrometheusServer::query(const std::string& promql) const {
  return Scenario::sh("curl -s --data-urlencode " + shell_quote("query=" + promql) + " " +
                      shell_quote(url() + "/api/v1/query"));
}

bool PrometheusServer::wait_for_data(const std::string& promql, int seconds) const {
  return Scenario::wait_until(
      [&] { return query(promql).find("\"result\":[]") == std::string::npos; },
      std::chrono::seconds(seconds));
}

}  // namespace golive::testing
