// A real Prometheus server for tests (Debian's /usr/bin/prometheus), run as the current user on
// 127.0.0.1:<free port> with a temporary config and TSDB, scraping the given targets' /metrics
// every second. Stopped (its process group) and removed when the object goes away.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace golive::testing {

class ScopedTempDir;

class PrometheusServer {
 public:
  // Why no server can be started here ("" when the binary is installed).
  static std::string unavailable_reason();

  // Starts scraping `targets` ("127.0.0.11:8080", ...) and waits until /-/ready answers
  // (throws std::runtime_error with the server's log otherwise).
  explicit PrometheusServer(const std::vector<std::string>& targets);
  ~PrometheusServer();
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  int port() const { return port_; }
  std::string url() const;  // http://127.0.0.1:<port>
  // An instant query through the HTTP API (curl); the raw JSON answer.
  std::string query(const std::string& promql) const;
  // Waits until `promql` returns a non-empty result; false after `seconds`.
  bool wait_for_data(const std::string& promql, int seconds = 20) const;

 private:
  std::unique_ptr<ScopedTempDir> dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace golive::testing
