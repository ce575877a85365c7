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
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <vector>

#include "golive/jump_spec.h"
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

// A ProxyJump the ssh config gave the session (see SshConnector::jump_of); `chained` when it
// named more than one hop.
struct ConfigJump {
  JumpSpec spec;
  bool chained = false;
};

std::optional<ConfigJump> proxy_jump_in(ssh_session s) {
  char* raw = nullptr;
  if (ssh_options_get(s, SSH_OPTIONS_PROXYCOMMAND, &raw) != SSH_OK) return std::nullopt;
  std::vector<std::string> words;
  std::istringstream in(take_string(raw));
  for (std::string w; in >> w;) words.push_back(w);
  const std::size_t n = words.size();
  if (n < 4 || words[0] != "ssh" || words[n - 3] != "-W" || words[n - 2] != "'[%h]:%p'") {
    return std::nullopt;
  }
  ConfigJump jump;
  jump.spec.host = words[n - 1];
  for (std::size_t i = 1; i + 1 < n - 3; i += 2) {
    const std::string& flag = words[i];
    const std::string& value = words[i + 1];
    if (flag == "-l") {
      jump.spec.user = value;
    } else if (flag == "-p") {
      jump.spec.port = std::atoi(value.c_str());
    } else if (flag == "-J") {
      jump.chained = true;
    } else {
      return std::nullopt;  // not libssh's rendering of a ProxyJump
    }
  }
  return jump;
}

class SshConnector final : public HostConnector {
 public:
  explicit SshConnector(ConnectOptions options) : options_(std::move(options)) {}

  Result<std::unique_ptr<RemoteHost>> connect(const Host& host) override;
  Result<HostKeyInfo> probe_host_key(const Host& host) override;
  Status trust_host_key(const Host& host, const HostKeyInfo& key) override;
  Result<std::optional<Host>> jump_host(const Host& host) override;

 private:
  // A target host, or the jump host in front of one (which may not have a jump of its own).
  enum class Hop { kTarget, kBastion };
  struct Opened {
    SessionPtr session;
    std::string address;  // host:port after ssh config (HostName, Port)
  };
  Result<Opened> open(const Host& host, Hop hop = Hop::kTarget);
  Status configure(const Host& host, ssh_session s);
  Result<std::optional<JumpSpec>> jump_of(const Host& host, ssh_session s, Hop hop);
  Result<std::shared_ptr<ssh::Bastion>> bastion_for(const Host& host, const JumpSpec& jump);
  Result<std::shared_ptr<ssh::Bastion>> tunnel(const Host& host, const JumpSpec& jump,
                                               SessionPtr& session, const std::string& name,
                                               int port);
  Result<Opened> open_checked(const Host& host, Hop hop);
  Result<HostKeyInfo> inspect_key(const Host& host, const Opened& opened);
  Status check_key(const Host& host, const Opened& opened);
  Status authenticate(const Host& host, const Opened& opened);
  std::string known_hosts_in_use(ssh_session session) const;

  ConnectOptions options_;
};

Result<SshConnector::Opened> SshConnector::open(const Host& host, Hop hop) {
  init_libssh_once();
  SessionPtr session(ssh_new());
  if (!session) return fail("cannot allocate an ssh session for " + host.name, ExitCode::kInfra);
  ssh_session s = session.get();
  GOLIVE_RETURN_IF_ERROR(configure(host, s));
  GOLIVE_TRY(jump, jump_of(host, s, hop));

  std::string name = host.address;
  unsigned int port = 22;
  {
    char* h = nullptr;
    if (ssh_options_get(s, SSH_OPTIONS_HOST, &h) == SSH_OK) name = take_string(h);
    if (name.empty()) name = host.address;
    ssh_options_get_port(s, &port);
  }
  std::string target = name + ":" + std::to_string(port);
  std::string via;
  if (*jump) {
    // The tunnel replaces libssh's transport (and any ProxyCommand the ssh config's ProxyJump
    // became); the target's host key is still checked under its own name and port.
    ssh_options_set(s, SSH_OPTIONS_PROXYCOMMAND, "none");
    GOLIVE_TRY(bastion, tunnel(host, **jump, session, name, static_cast<int>(port)));
    via = " through " + (*bastion)->label();
  }
  if (ssh_connect(s) != SSH_OK) {
    return fail("cannot reach " + host.name + " (" + target + ")" + via + ": " + ssh_get_error(s),
                ExitCode::kInfra);
  }
  tune_socket(s);
  return Opened{std::move(session), target};
}

// Makes a tunnel through the host's bastion the session's transport; returns the bastion.
Result<std::shared_ptr<ssh::Bastion>> SshConnector::tunnel(const Host& host, const JumpSpec& jump,
                                                           SessionPtr& session,
                                                           const std::string& name, int port) {
  GOLIVE_TRY(bastion, bastion_for(host, jump));
  auto fd = (*bastion)->open_tunnel(name, port, options_.connect_timeout);
  if (!fd && !(*bastion)->alive()) {
    // It died under us (a reconnect after losing it can race its pump noticing): once more, anew.
    bastion = bastion_for(host, jump);
    if (!bastion) return std::unexpected(bastion.error());
    fd = (*bastion)->open_tunnel(name, port, options_.connect_timeout);
  }
  if (!fd) return std::unexpected(fd.error());
  session.get_deleter().keep_alive = *bastion;
  socket_t sock = *fd;
  ssh_options_set(session.get(), SSH_OPTIONS_FD, &sock);
  return bastion;
}

// Options for one session: address, the ssh config, then the runbook fields over it.
Status SshConnector::configure(const Host& host, ssh_session s) {
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
  return {};
}

// The host's bastion: its runbook `jump` (`none`: direct), else the ssh config's ProxyJump.
// libssh 0.10 keeps no ProxyJump: its config parser turns `ProxyJump [user@]host[:port][,more]`
// into the ProxyCommand `ssh[ -l user][ -p port][ -J more] -W '[%h]:%p' host`, which is read back
// here (an operator's own ProxyCommand does not have that shape and is left to libssh).
Result<std::optional<JumpSpec>> SshConnector::jump_of(const Host& host, ssh_session s, Hop hop) {
  std::optional<ConfigJump> from_config = proxy_jump_in(s);
  if (hop == Hop::kBastion) {
    if (!from_config) return std::optional<JumpSpec>();
    return fail(host.name +
                    ": the ssh config gives it a ProxyJump of its own; golive goes "
                    "through one bastion (chained jump hosts are not supported)",
                ExitCode::kUsage);
  }
  if (host.jump == "none") {
    if (from_config) ssh_options_set(s, SSH_OPTIONS_PROXYCOMMAND, "none");
    return std::optional<JumpSpec>();
  }
  if (!host.jump.empty()) {
    GOLIVE_TRY(spec, parse_jump_spec(host.jump));
    return std::optional<JumpSpec>(*spec);
  }
  if (!from_config) return std::optional<JumpSpec>();
  if (from_config->chained) {
    return fail(host.name +
                    ": the ssh config's ProxyJump names several jump hosts; golive goes "
                    "through one bastion (set the host's `jump` in the runbook instead)",
                ExitCode::kUsage);
  }
  return std::optional<JumpSpec>(from_config->spec);
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

Status SshConnector::check_key(const Host& host, const Opened& opened) {
  GOLIVE_TRY(key, inspect_key(host, opened));
  const std::string known = known_hosts_in_use(opened.session.get());
  if (key->state == HostKeyInfo::State::kChanged) {
    return fail("HOST KEY CHANGED for " + host.name + " (" + opened.address +
                    "): it now presents " + key->key_type + " " + key->fingerprint +
                    ", which does not match " + known +
                    ". This is a possible man-in-the-middle attack; refusing to connect. If the "
                    "change is expected, remove the old entry (ssh-keygen -R <host> -f " +
                    known + ") and run `golive hosts trust ENV`.",
                ExitCode::kPreflight);
  }
  if (key->state == HostKeyInfo::State::kUnknown && options_.strict_host_keys) {
    return fail("unknown host key for " + host.name + " (" + opened.address +
                    "): " + key->key_type + " " + key->fingerprint + " is not in " + known +
                    ". Verify the fingerprint out of band, then run `golive hosts trust ENV`.",
                ExitCode::kPreflight);
  }
  return {};
}

Result<SshConnector::Opened> SshConnector::open_checked(const Host& host, Hop hop) {
  GOLIVE_TRY(opened, open(host, hop));
  GOLIVE_RETURN_IF_ERROR(check_key(host, *opened));
  GOLIVE_RETURN_IF_ERROR(authenticate(host, *opened));
  return std::move(*opened);
}

Result<std::unique_ptr<RemoteHost>> SshConnector::connect(const Host& host) {
  GOLIVE_TRY(opened, open_checked(host, Hop::kTarget));
  std::string address = opened->address;
  return ssh::make_ssh_host(host.name, std::move(address), std::move(opened->session),
                            options_.alive_timeout);
}

// The jump host in front of `host`, as a host of its own: resolved through the same ssh config,
// offered the host's identity_file too, never jumping further.
Host bastion_host(const Host& host, const JumpSpec& jump) {
  Host b;
  b.name = "jump host " + jump.host;
  b.address = jump.host;
  b.user = jump.user;
  b.port = jump.port;
  b.identity_file = host.identity_file;
  b.jump = "none";
  return b;
}

Result<std::optional<Host>> SshConnector::jump_host(const Host& host) {
  init_libssh_once();
  SessionPtr session(ssh_new());
  if (!session) return fail("cannot allocate an ssh session for " + host.name, ExitCode::kInfra);
  GOLIVE_RETURN_IF_ERROR(configure(host, session.get()));
  GOLIVE_TRY(jump, jump_of(host, session.get(), Hop::kTarget));
  if (!*jump) return std::optional<Host>();
  return std::optional<Host>(bastion_host(host, **jump));
}

// Bastion sessions live as long as a session tunnelled through them (SessionDeleter::keep_alive);
// the registry only finds a live one, so every connector in the process (the fleet's, the lock
// heartbeat's, reconnects) shares it. Concurrent connects to the same bastion wait for one
// attempt and share its outcome, so an unreachable bastion costs one timeout, not one per host.
struct BastionRegistry {
  using Outcome = Result<std::shared_ptr<ssh::Bastion>>;
  struct Entry {
    std::weak_ptr<ssh::Bastion> live;
    std::shared_future<Outcome> pending;
  };
  std::mutex mu;
  std::map<std::string, Entry> entries;

  template <class Make>
  Outcome get(const std::string& key, Make make) {
    std::promise<Outcome> mine;
    std::shared_future<Outcome> theirs;
    {
      std::lock_guard lock(mu);
      Entry& e = entries[key];
      if (auto b = e.live.lock(); b && b->alive()) return b;
      if (e.pending.valid()) {
        theirs = e.pending;
      } else {
        e.pending = mine.get_future().share();
      }
    }
    if (theirs.valid()) return theirs.get();
    Outcome made = make();
    {
      std::lock_guard lock(mu);
      Entry& e = entries[key];
      if (made) e.live = *made;
      e.pending = {};
    }
    mine.set_value(made);
    return made;
  }
};

BastionRegistry& bastions() {
  static BastionRegistry registry;
  return registry;
}

Result<std::shared_ptr<ssh::Bastion>> SshConnector::bastion_for(const Host& host,
                                                                const JumpSpec& jump) {
  const Host b = bastion_host(host, jump);
  // Everything that decides which session this is and how it was checked.
  const std::string key = jump_text(jump) + "|" + b.identity_file + "|" +
                          pick_config(options_).path + "|" + options_.known_hosts + "|" +
                          (options_.strict_host_keys ? "strict" : "lax");
  auto made = bastions().get(key, [&]() -> BastionRegistry::Outcome {
    GOLIVE_TRY(opened, open_checked(b, Hop::kBastion));
    std::string label = b.name + " (" + opened->address + ")";
    return std::make_shared<ssh::Bastion>(std::move(opened->session), std::move(label));
  });
  // Unprefixed: every host behind this bastion gets the same error, reported once per fleet.
  return made;
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
