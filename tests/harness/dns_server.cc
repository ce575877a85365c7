#include "tests/harness/dns_server.h"

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "orchestrator/adapters/dns/dns_resolver.h"

extern char** environ;

namespace golive::testing {
namespace {

constexpr const char* kDnsmasq = "/usr/sbin/dnsmasq";

// A UDP port free right now on 127.0.0.1 (dnsmasq binds it a moment later).
int free_udp_port() {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("no free UDP port");
  }
  close(fd);
  return ntohs(a.sin_port);
}

std::vector<std::string> arguments(const std::vector<DnsZone>& zones, int port) {
  std::vector<std::string> args{kDnsmasq,
                                "-k",
                                "--no-resolv",
                                "--no-hosts",
                                "-C",
                                "/dev/null",
                                "--pid-file=",
                                "--user=",
                                "--bind-interfaces",
                                "--listen-address=127.0.0.1",
                                "--port=" + std::to_string(port),
                                "--log-facility=/dev/null"};
  for (const auto& z : zones) {
    args.push_back("--local=/" + z.domain + "/");
    for (const auto& [name, text] : z.txt) args.push_back("--txt-record=" + name + "," + text);
    for (const auto& [name, host] : z.mx) args.push_back("--mx-host=" + name + "," + host + ",10");
  }
  return args;
}

}  // namespace

bool have_dnsmasq() {
  return std::filesystem::exists(kDnsmasq);
}

DnsServer::DnsServer(const std::vector<DnsZone>& zones) {
  for (int attempt = 0; attempt < 3 && pid_ <= 0; ++attempt) {
    port_ = free_udp_port();
    auto args = arguments(zones, port_);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    const int rc = posix_spawn(&pid_, kDnsmasq, nullptr, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) throw std::runtime_error("could not start dnsmasq");
    // Ready when it answers; a lost port race makes it exit at once, then try another port.
    const DnsOptions opts{server(), std::chrono::seconds(1)};
    const std::string probe = zones.empty() ? "localhost" : zones.front().domain;
    for (int i = 0; i < 50; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      if (dns_txt(probe, opts)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  throw std::runtime_error("dnsmasq did not start answering on 127.0.0.1");
}

DnsServer::~DnsServer() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 100 && waitpid(pid_, &status, WNOHANG) == 0; ++i) usleep(10000);
  if (waitpid(pid_, &status, WNOHANG) == 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
}

}  // namespace golive::testing
