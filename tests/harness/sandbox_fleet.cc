#include "tests/harness/sandbox_fleet.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>

namespace golive::testing {
namespace {

std::string script() {
  return std::string(GOLIVE_SOURCE_DIR) + "/scripts/sandbox-fleet";
}

// A port nobody listens on for any address right now (bound on the wildcard, then released).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::mutex shared_mutex;
std::unique_ptr<SandboxFleet> shared_fleet;  // destroyed at exit: stops the fleet
std::unique_ptr<SandboxFleet> two_hop_fleet;

}  // namespace

std::string SandboxFleet::sh(const std::string& command, int* exit_status) {
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) throw std::runtime_error("popen failed: " + command);
  std::string out;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = ::pclose(p);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (exit_status != nullptr) {
    *exit_status = code;
  } else if (code != 0) {
    throw std::runtime_error("command failed (" + std::to_string(code) + "): " + command + "\n" +
                             out);
  }
  return out;
}

std::unique_ptr<SandboxFleet> SandboxFleet::start(int hosts, const FleetKind& kind,
                                                  const FleetLayout& layout) {
  std::unique_ptr<SandboxFleet> fleet(new SandboxFleet());
  fleet->kind_ = kind;
  fleet->layout_ = layout;
  std::string tmpl = (std::filesystem::temp_directory_path() / "golive-fleet-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  fleet->dir_ = tmpl;
  fleet->ensure_hosts(hosts);
  return fleet;
}

void SandboxFleet::ensure_hosts(int hosts) {
  if (static_cast<int>(hosts_.size()) >= hosts) return;
  std::string last_output;
  // A port picked as free can be taken before sshd binds it: retry on "in use" / "did not start".
  for (int attempt = 0; attempt < 5; ++attempt) {
    int port = port_ != 0 ? port_ : free_port();
    int code = 0;
    last_output =
        sh(quote(script()) + " start --dir " + quote(dir_) + " --hosts " + std::to_string(hosts) +
               " --port " + std::to_string(port) + " --first " + std::to_string(layout_.first) +
               " --server " + kind_.server + " --shell " + kind_.shell +
               (layout_.bastion.empty() ? "" : " --bastion " + layout_.bastion) + " 2>&1",
           &code);
    if (code == 0) {
      port_ = port;
      hosts_.clear();
      for (int k = 1; k <= hosts; ++k) {
        Host h;
        h.name = "web" + std::to_string(k);
        h.address = "127.0.0." + std::to_string(layout_.first + k - 1);
        hosts_.push_back(h);
      }
      return;
    }
    if (port_ != 0) break;  // growing an existing fleet keeps its port
    sh(quote(script()) + " stop --dir " + quote(dir_) + " >/dev/null 2>&1", &code);
  }
  throw std::runtime_error("sandbox fleet did not start: " + last_output);
}

SandboxFleet::~SandboxFleet() {
  int code = 0;
  try {
    sh(quote(script()) + " stop --dir " + quote(dir_) + " >/dev/null 2>&1", &code);
  } catch (...) {
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

SandboxFleet& SandboxFleet::shared(int hosts) {
  std::lock_guard lock(shared_mutex);
  if (!shared_fleet) {
    // The interop matrix through the real binary: any scenario runs against another server or
    // login shell with GOLIVE_TEST_SSH_SERVER=dropbear / GOLIVE_TEST_SSH_SHELL=bash.
    FleetKind kind;
    if (const char* server = std::getenv("GOLIVE_TEST_SSH_SERVER"); server && *server)
      kind.server = server;
    if (const char* shell = std::getenv("GOLIVE_TEST_SSH_SHELL"); shell && *shell)
      kind.shell = shell;
    shared_fleet = start(hosts, kind);
  } else {
    shared_fleet->ensure_hosts(hosts);
  }
  return *shared_fleet;
}

SandboxFleet& SandboxFleet::shared_behind_bastion(int hosts) {
  std::lock_guard lock(shared_mutex);
  if (!two_hop_fleet) {
    FleetLayout layout;
    layout.first = 201;  // 127.0.0.200-220 are the two-hop fleet's
    layout.bastion = "127.0.0.200";
    two_hop_fleet = start(hosts, {}, layout);
  } else {
    two_hop_fleet->ensure_hosts(hosts);
  }
  return *two_hop_fleet;
}

std::unique_ptr<HostConnector> SandboxFleet::connector() const {
  ConnectOptions options;
  options.ssh_config = ssh_config();
  options.connect_timeout = std::chrono::seconds(5);
  return make_ssh_connector(options);
}

}  // namespace golive::testing
