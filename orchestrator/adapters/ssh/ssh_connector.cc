// The libssh connector: ssh config, strict host-key checking, authentication.
// connect() may run on many threads at once (one session per host); libssh is initialised once.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "orchestrator/adapters/ssh/ssh_internal.h"

namespace golive {
namespace {

using ssh::SessionPtr;

struct KeyDeleter {
  void operator()(ssh_key k) const { ssh_key_free(k); }
};
using KeyPtr = std::unique_ptr<ssh_key_struct, KeyDeleter>;

void init_libssh_once() {
  static std::once_flag once;
  std::call_once(once, [] { ssh_init(); });
}

// Copies and frees a string libssh allocated.
std::string take_string(char* s) {
  if (s == nullptr) return {};
  std::string out(s);
  ssh_string_free_char(s);
  return out;
}

std::string home_dir() {
  const char* home = std::getenv("HOME");
  return home != nullptr ? home : "";
}

// The ssh config file in use: ConnectOptions, else $GOLIVE_SSH_CONFIG, else ~/.ssh/config.
struct ConfigChoice {
  std::string path;
  bool explicit_choice = false;  // named by the operator: a missing file is an error
};

ConfigChoice pick_config(const ConnectOptions& options) {
  if (!options.ssh_config.empty()) return {options.ssh_config, true};
  if (const char* env = std::getenv("GOLIVE_SSH_CONFIG"); env != nullptr && *env != '\0') {
    return {env, true};
  }
  return {home_dir() + "/.ssh/config", false};
}

// Dead peers are noticed within about a minute even while a command is silent.
void tune_socket(ssh_session session) {
  int fd = ssh_get_fd(session);
  if (fd < 0) return;
  int on = 1, idle = 30, interval = 10, count = 3;
  unsigned int user_timeout_ms = 120000;
  // Failures are harmless (e.g. a ProxyCommand pipe is not a TCP socket).
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  (void)::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
}

class SshConnector final : public HostConnector {
 public:
  explicit SshConnector(ConnectOptions options) : options_(std::move(options)) {}

  Result<std::unique_ptr<RemoteHost>> connect(const Host& host) override;
  Result<HostKeyInfo> probe_host_key(const Host& host) override;
  Status trust_host_key(const Host& host, const HostKeyInfo& key) override;

 private:
  struct Opened {
    SessionPtr session;
    std::string address;  // host:port after ssh config (HostName, Port)
  };
  Result<Opened> open(const Host& host);
  Result<HostKeyInfo> inspect_key(const Host& host, const Opened& opened);
  Status authenticate(const Host& host, const Opened& opened);
  std::string known_hosts_in_use(ssh_session session) const;

  ConnectOptions options_;
};

Result<SshConnector::Opened> SshConnector::open(const Host& host) {
  init_libssh_once();
  SessionPtr session(ssh_new());
  if (!session) return fail("cannot allocate an ssh session for " + host.name, ExitCode::kInfra);
  ssh_session s = session.get();
  if (host.address.empty()) return fail("host " + host.name + " has no address", ExitCode::kUsage);
  if (ssh_options_set(s, SSH_OPTIONS_HOST, host.address.c_str()) != SSH_OK) {
    return fail("invalid address for host " + host.name + ": " + host.address, ExitCode::kUsage);
  }

  ConfigChoice config = pick_config(options_);
  if (config.explicit_choice && !std::filesystem::exists(config.path)) {
    return fail("ssh config file not found: " + config.path + " (named by " +
                    (options_.ssh_config.empty() ? "GOLIVE_SSH_CONFIG" : "the caller") + ")",
                ExitCode::kUsage);
  }
  // An explicit file replaces ~/.ssh/config and /etc/ssh/ssh_config, as with `ssh -F`.
  if (ssh_options_parse_config(s, config.explicit_choice ? config.path.c_str() : nullptr) < 0) {
    return fail("cannot parse ssh config " + config.path + " for host " + host.name + ": " +
                    ssh_get_error(s),
                ExitCode::kUsage);
  }

  // Runbook fields win over the ssh config.
  if (!host.user.empty()) ssh_options_set(s, SSH_OPTIONS_USER, host.user.c_str());
  if (host.port != 0) {
    unsigned int port = static_cast<unsigned int>(host.port);
    ssh_options_set(s, SSH_OPTIONS_PORT, &port);
  }
  if (!host.identity_file.empty()) {
    ssh_options_set(s, SSH_OPTIONS_IDENTITY, host.identity_file.c_str());
  }
  // The project's known_hosts takes the "global" slot so libssh also uses it to pick the host
  // key algorithm it can verify.
  if (!options_.known_hosts.empty()) {
    ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, options_.known_hosts.c_str());
  }
  long ms = static_cast<long>(options_.connect_timeout.count());
  long secs = ms / 1000, usecs = (ms % 1000) * 1000;
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &secs);
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usecs);
  // libssh would log to our stderr (the ssh config's LogLevel maps onto it); golive reports errors
  // itself. GOLIVE_SSH_DEBUG=1..4 turns libssh's log back on for troubleshooting.
  int verbosity = SSH_LOG_NOLOG;
  if (const char* debug = std::getenv("GOLIVE_SSH_DEBUG"); debug != nullptr) {
    verbosity = std::atoi(debug);
  }
  ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
  int nodelay = 1;  // Nagle + delayed ACK would add ~40 ms to every small exchange
  ssh_options_set(s, SSH_OPTIONS_NODELAY, &nodelay);

  std::string target;
  {
    char* h = nullptr;
    if (ssh_options_get(s, SSH_OPTIONS_HOST, &h) == SSH_OK) target = take_string(h);
    unsigned int port = 22;
    ssh_options_get_port(s, &port);
    if (target.empty()) target = host.address;
    target += ":" + std::to_string(port);
  }

  if (ssh_connect(s) != SSH_OK) {
    return fail("cannot reach " + host.name + " (" + target + "): " + ssh_get_error(s),
                ExitCode::kInfra);
  }
  tune_socket(s);
  return Opened{std::move(session), target};
}

std::string SshConnector::known_hosts_in_use(ssh_session session) const {
  if (!options_.known_hosts.empty()) return options_.known_hosts;
  char* path = nullptr;
  if (ssh_options_get(session, SSH_OPTIONS_KNOWNHOSTS, &path) == SSH_OK) {
    std::string p = take_string(path);
    if (!p.empty()) return p;
  }
  return home_dir() + "/.ssh/known_hosts";
}

Result<HostKeyInfo> SshConnector::inspect_key(const Host& host, const Opened& opened) {
  ssh_session s = opened.session.get();
  HostKeyInfo info;
  info.host = host.name;
  info.address = opened.address;

  ssh_key raw = nullptr;
  if (ssh_get_server_publickey(s, &raw) != SSH_OK) {
    return fail("cannot read the host key of " + host.name + " (" + opened.address +
                    "): " + ssh_get_error(s),
                ExitCode::kInfra);
  }
  KeyPtr key(raw);
  info.key_type = ssh_key_type_to_char(ssh_key_type(key.get()));
  unsigned char* hash = nullptr;
  size_t hash_len = 0;
  if (ssh_get_publickey_hash(key.get(), SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_len) != 0) {
    return fail("cannot fingerprint the host key of " + host.name, ExitCode::kInfra);
  }
  info.fingerprint =
      take_string(ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_len));
  ssh_clean_pubkey_hash(&hash);

  switch (ssh_session_is_known_server(s)) {
    case SSH_KNOWN_HOSTS_OK:
      info.state = HostKeyInfo::State::kTrusted;
      break;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:  // a key of another type was recorded: treat as a change
      info.state = HostKeyInfo::State::kChanged;
      break;
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      info.state = HostKeyInfo::State::kUnknown;
      break;
    case SSH_KNOWN_HOSTS_ERROR:
    default:
      return fail("cannot read known_hosts for " + host.name + " (" + known_hosts_in_use(s) +
                      "): " + ssh_get_error(s),
                  ExitCode::kPreflight);
  }
  return info;
}

Status SshConnector::authenticate(const Host& host, const Opened& opened) {
  ssh_session s = opened.session.get();
  std::string user;
  {
    char* u = nullptr;
    if (ssh_options_get(s, SSH_OPTIONS_USER, &u) == SSH_OK) user = take_string(u);
  }
  std::string who = user + "@" + opened.address;
  // "none" first: it also fetches the server's accepted methods.
  int rc = ssh_userauth_none(s, nullptr);
  if (rc == SSH_AUTH_SUCCESS) return {};
  if (rc != SSH_AUTH_ERROR) {
    // Tries ssh-agent, then the identity files (runbook identity_file, IdentityFile from the ssh
    // config, ~/.ssh/id_ed25519, id_ecdsa, id_rsa); passphrase-protected files are skipped.
    rc = ssh_userauth_publickey_auto(s, nullptr, nullptr);
  }
  if (rc == SSH_AUTH_SUCCESS) return {};
  if (rc == SSH_AUTH_ERROR) {
    return fail("connection to " + host.name + " (" + who +
                    ") failed during authentication: " + ssh_get_error(s),
                ExitCode::kInfra);
  }
  std::string tried =
      host.identity_file.empty() ? "" : " (identity_file " + host.identity_file + ")";
  return fail("authentication refused for " + host.name + " (" + who +
                  "): no accepted key from ssh-agent or the identity files" + tried +
                  "; check the user, and load passphrase-protected keys into ssh-agent",
              ExitCode::kInfra);
}

Result<std::unique_ptr<RemoteHost>> SshConnector::connect(const Host& host) {
  GOLIVE_TRY(opened, open(host));
  GOLIVE_TRY(key, inspect_key(host, *opened));
  const std::string known = known_hosts_in_use(opened->session.get());
  if (key->state == HostKeyInfo::State::kChanged) {
    return fail("HOST KEY CHANGED for " + host.name + " (" + opened->address +
                    "): it now presents " + key->key_type + " " + key->fingerprint +
                    ", which does not match " + known +
                    ". This is a possible man-in-the-middle attack; refusing to connect. If the "
                    "change is expected, remove the old entry (ssh-keygen -R <host> -f " +
                    known + ") and run `golive hosts trust ENV`.",
                ExitCode::kPreflight);
  }
  if (key->state == HostKeyInfo::State::kUnknown && options_.strict_host_keys) {
    return fail("unknown host key for " + host.name + " (" + opened->address +
                    "): " + key->key_type + " " + key->fingerprint + " is not in " + known +
                    ". Verify the fingerprint out of band, then run `golive hosts trust ENV`.",
                ExitCode::kPreflight);
  }
  GOLIVE_RETURN_IF_ERROR(authenticate(host, *opened));
  std::string address = opened->address;
  return ssh::make_ssh_host(host.name, std::move(address), std::move(opened->session),
                            options_.alive_timeout);
}

Result<HostKeyInfo> SshConnector::probe_host_key(const Host& host) {
  GOLIVE_TRY(opened, open(host));
  return inspect_key(host, *opened);
}

Status SshConnector::trust_host_key(const Host& host, const HostKeyInfo& key) {
  GOLIVE_TRY(opened, open(host));
  GOLIVE_TRY(live, inspect_key(host, *opened));
  // The operator approved a fingerprint: record only that exact key.
  if (live->fingerprint != key.fingerprint) {
    return fail("host key of " + host.name + " (" + opened->address + ") is now " +
                    live->fingerprint + ", not the approved " + key.fingerprint +
                    "; refusing to record it",
                ExitCode::kPreflight);
  }
  ssh_session s = opened->session.get();
  const std::string known = known_hosts_in_use(s);
  if (live->state == HostKeyInfo::State::kTrusted) return {};
  if (live->state == HostKeyInfo::State::kChanged) {
    return fail("HOST KEY CHANGED for " + host.name + " (" + opened->address +
                    "); remove the old "
                    "entry from " +
                    known + " (ssh-keygen -R <host> -f " + known + ") before trusting the new key",
                ExitCode::kPreflight);
  }
  char* entry_raw = nullptr;
  if (ssh_session_export_known_hosts_entry(s, &entry_raw) != SSH_OK) {
    return fail("cannot format a known_hosts entry for " + host.name + ": " + ssh_get_error(s),
                ExitCode::kInfra);
  }
  std::string entry = take_string(entry_raw);
  if (entry.empty() || entry.back() != '\n') entry += '\n';

  std::error_code ec;
  std::filesystem::path file(known);
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  int fd = ::open(known.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return fail("cannot write " + known + ": " + std::strerror(errno), ExitCode::kInfra);
  ssize_t written = ::write(fd, entry.data(), entry.size());
  bool ok = written == static_cast<ssize_t>(entry.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return fail("cannot write " + known, ExitCode::kInfra);
  return {};
}

}  // namespace

std::unique_ptr<HostConnector> make_ssh_connector(const ConnectOptions& options) {
  return std::make_unique<SshConnector>(options);
}

}  // namespace golive
