// The libssh adapter through a jump host: a real two-hop OpenSSH fleet on loopback, where the hosts
// admit logins only from the bastion's side (scripts/sandbox-fleet --bastion).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "golive/remote_host.h"
#include "tests/harness/sandbox_fleet.h"
#include "tests/harness/scoped_temp_dir.h"

namespace golive {
namespace {

using testing::SandboxFleet;

constexpr const char* kBastion = "127.0.0.200";

SandboxFleet& fleet() {
  return SandboxFleet::shared_behind_bastion(3);
}

Host via_bastion(int k) {
  Host h = fleet().host(k);
  h.jump = fleet().bastion();
  return h;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string run(RemoteHost& host, const std::string& command) {
  ExecRequest req;
  req.command = command;
  req.timeout = std::chrono::seconds(10);
  auto r = host.exec(req);
  if (!r) throw std::runtime_error(r.error().message);
  return r->output;
}

// A connector reading `config_text` as its ssh config.
std::unique_ptr<HostConnector> connector_with(const testing::ScopedTempDir& dir,
                                              const std::string& config_text) {
  const std::string path = dir.path() + "/ssh_config";
  std::ofstream(path) << config_text;
  ConnectOptions options;
  options.ssh_config = path;
  options.connect_timeout = std::chrono::seconds(5);
  return make_ssh_connector(options);
}

// The fleet's ssh config with its known_hosts replaced by `known` (written next to it).
std::string config_with_known_hosts(const testing::ScopedTempDir& dir, const std::string& known) {
  const std::string path = dir.path() + "/known_hosts";
  std::ofstream(path) << known;
  std::string text = slurp(fleet().ssh_config());
  const std::string from = fleet().known_hosts();
  text.replace(text.find(from), from.size(), path);
  return text;
}

// known_hosts without the lines that mention `address`.
std::string known_hosts_without(const std::string& address) {
  std::istringstream in(slurp(fleet().known_hosts()));
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.find("[" + address + "]") == std::string::npos) out += line + "\n";
  }
  return out;
}

std::string fingerprint_of(const std::string& pubkey) {
  std::string line = SandboxFleet::sh("ssh-keygen -lf " + pubkey);
  auto a = line.find("SHA256:");
  return line.substr(a, line.find(' ', a) - a);
}

// Established TCP connections to the bastion's sshd, from /proc/net/tcp (addresses there are
// little-endian hex: 127.0.0.200:P is C800007F:<P in hex>; state 01 is ESTABLISHED).
int connections_to_bastion() {
  char remote[32];
  std::snprintf(remote, sizeof remote, "C800007F:%04X", static_cast<unsigned>(fleet().port()));
  std::istringstream in(slurp("/proc/net/tcp"));
  int count = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string slot, local, rem, state;
    fields >> slot >> local >> rem >> state;
    if (rem == remote && state == "01") ++count;
  }
  return count;
}

TEST(SshJump, DirectLoginIsRefusedAndThroughTheBastionWorks) {
  auto direct = fleet().connector()->connect(fleet().host(1));
  ASSERT_FALSE(direct) << "the two-hop fleet let golive log into web1 directly";
  EXPECT_NE(direct.error().message.find("authentication refused for web1"), std::string::npos)
      << direct.error().message;

  auto host = fleet().connector()->connect(via_bastion(1));
  ASSERT_TRUE(host) << host.error().message;
  EXPECT_EQ(run(**host, "echo $GOLIVE_HOST"), "web1\n");
  // SFTP goes through the same tunnel.
  const std::string path = fleet().root(1) + "/through-the-bastion.txt";
  ASSERT_TRUE((*host)->write_file(path, "hello via jump\n", 0640));
  auto back = (*host)->read_file(path);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, "hello via jump\n");
}

TEST(SshJump, AllHostsShareOneBastionConnection) {
  auto connector = fleet().connector();
  std::vector<std::unique_ptr<RemoteHost>> hosts(3);
  std::vector<std::string> errors(3);
  std::vector<std::thread> threads;
  for (int k = 1; k <= 3; ++k) {
    threads.emplace_back([&, k] {
      auto h = connector->connect(via_bastion(k));
      if (h) {
        hosts[k - 1] = std::move(*h);
      } else {
        errors[k - 1] = h.error().message;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int k = 1; k <= 3; ++k) ASSERT_TRUE(hosts[k - 1]) << errors[k - 1];
  EXPECT_EQ(connections_to_bastion(), 1);
  // Commands on every host at once, each on its own channel of the one bastion connection.
  threads.clear();
  std::vector<std::string> outputs(3);
  for (int k = 1; k <= 3; ++k) {
    threads.emplace_back([&, k] {
      outputs[k - 1] = run(*hosts[k - 1], "head -c 300000 /dev/zero | wc -c; echo $GOLIVE_HOST");
    });
  }
  for (auto& t : threads) t.join();
  for (int k = 1; k <= 3; ++k) {
    EXPECT_EQ(outputs[k - 1], "300000\nweb" + std::to_string(k) + "\n");
  }
  // A later connector in the same process (a reconnect, the lock heartbeat) reuses it too.
  auto again = fleet().connector()->connect(via_bastion(2));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(connections_to_bastion(), 1);
  hosts.clear();
  again->reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(connections_to_bastion(), 0) << "the bastion session outlived every host using it";
}

TEST(SshJump, ProxyJumpFromTheSshConfig) {
  testing::ScopedTempDir dir;
  const std::string config = "Host 127.0.0.201 127.0.0.202 127.0.0.203\n  ProxyJump " +
                             std::string(kBastion) + "\n" + slurp(fleet().ssh_config());
  auto connector = connector_with(dir, config);
  auto host = connector->connect(fleet().host(2));
  ASSERT_TRUE(host) << host.error().message;
  EXPECT_EQ(run(**host, "echo $GOLIVE_HOST"), "web2\n");
  auto jump = connector->jump_host(fleet().host(2));
  ASSERT_TRUE(jump && *jump);
  EXPECT_EQ((*jump)->address, kBastion);
  // `jump: none` in the runbook wins over the ssh config: a direct login, which this fleet refuses.
  Host direct = fleet().host(2);
  direct.jump = "none";
  EXPECT_FALSE(connector->connect(direct));
}

TEST(SshJump, ChainedProxyJumpIsRefused) {
  testing::ScopedTempDir dir;
  const std::string config = "Host 127.0.0.201\n  ProxyJump " + std::string(kBastion) +
                             ",127.0.0.210\n" + slurp(fleet().ssh_config());
  auto connect = connector_with(dir, config)->connect(fleet().host(1));
  ASSERT_FALSE(connect);
  EXPECT_EQ(connect.error().exit, ExitCode::kUsage);
  EXPECT_NE(connect.error().message.find("several jump hosts"), std::string::npos)
      << connect.error().message;
}

TEST(SshJump, UnknownBastionKeyIsRefusedThenTrusted) {
  testing::ScopedTempDir dir;
  auto connector = connector_with(dir, config_with_known_hosts(dir, known_hosts_without(kBastion)));
  const std::string fingerprint = fingerprint_of(fleet().dir() + "/bastion_ed25519_key.pub");
  auto refused = connector->connect(via_bastion(1));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().exit, ExitCode::kPreflight);
  const std::string& why = refused.error().message;
  EXPECT_NE(why.find("unknown host key for jump host 127.0.0.200"), std::string::npos) << why;
  EXPECT_NE(why.find(fingerprint), std::string::npos) << why;

  // `golive hosts trust` learns it the way it learns any host's: probe, then record.
  auto bastion = connector->jump_host(via_bastion(1));
  ASSERT_TRUE(bastion && *bastion);
  auto key = connector->probe_host_key(**bastion);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->state, HostKeyInfo::State::kUnknown);
  EXPECT_EQ(key->fingerprint, fingerprint);
  ASSERT_TRUE(connector->trust_host_key(**bastion, *key));
  auto host = connector->connect(via_bastion(1));
  ASSERT_TRUE(host) << host.error().message;
}

TEST(SshJump, ChangedBastionKeyIsRefused) {
  testing::ScopedTempDir dir;
  // The bastion's entry now holds another key (the hosts' one).
  const std::string host_key = slurp(fleet().dir() + "/host_ed25519_key.pub");
  const std::string forged = "[" + std::string(kBastion) + "]:" + std::to_string(fleet().port()) +
                             " " + host_key.substr(0, host_key.rfind(' ')) + "\n";
  auto connector =
      connector_with(dir, config_with_known_hosts(dir, known_hosts_without(kBastion) + forged));
  auto refused = connector->connect(via_bastion(1));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().exit, ExitCode::kPreflight);
  EXPECT_NE(refused.error().message.find("HOST KEY CHANGED for jump host 127.0.0.200"),
            std::string::npos)
      << refused.error().message;
}

TEST(SshJump, TargetKeyIsStillCheckedThroughTheTunnel) {
  testing::ScopedTempDir dir;
  auto connector =
      connector_with(dir, config_with_known_hosts(dir, known_hosts_without("127.0.0.202")));
  auto refused = connector->connect(via_bastion(2));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().exit, ExitCode::kPreflight);
  EXPECT_NE(refused.error().message.find("unknown host key for web2 (127.0.0.202:"),
            std::string::npos)
      << refused.error().message;
}

// A host frozen mid-command behind the bastion (its sshd stopped; the bastion still answers) is
// named within the alive timeout: the tunnel's silence stands in for TCP_INFO.
TEST(SshJump, FrozenHostBehindTheBastionIsNamedWithinTheAliveTimeout) {
  ConnectOptions options;
  options.ssh_config = fleet().ssh_config();
  options.connect_timeout = std::chrono::seconds(5);
  options.alive_timeout = Millis(3000);
  auto host = make_ssh_connector(options)->connect(via_bastion(3));
  ASSERT_TRUE(host) << host.error().message;
  const std::string ppid = run(**host, testing::kSshdPidCommand);
  const std::string sshd_child = ppid.substr(0, ppid.find('\n'));
  std::thread freezer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    SandboxFleet::sh("kill -STOP " + sshd_child);
  });
  ExecRequest req;
  req.command = "sleep 30";
  req.timeout = std::chrono::seconds(60);
  auto t0 = std::chrono::steady_clock::now();
  auto r = (*host)->exec(req);
  auto took = std::chrono::steady_clock::now() - t0;
  freezer.join();
  SandboxFleet::sh("kill -CONT " + sshd_child + "; kill -TERM " + sshd_child + " || true");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("web3"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("stopped answering"), std::string::npos) << r.error().message;
  EXPECT_LT(took, std::chrono::seconds(15));
}

// The bastion connection dies mid-command: the host's command fails as a dropped connection
// (a reconnect's business), and the next connect opens a new bastion session.
TEST(SshJump, LostBastionFailsItsSessionsAndTheNextConnectOpensANewOne) {
  auto host = fleet().connector()->connect(via_bastion(1));
  ASSERT_TRUE(host) << host.error().message;
  ASSERT_EQ(connections_to_bastion(), 1);
  const std::string bastion_sshd = SandboxFleet::sh("cat " + fleet().dir() + "/bastion.pid");
  std::thread cutter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    // The bastion's per-connection sshd processes: the listener's children (privileged monitor)
    // and theirs (the session that forwards).
    SandboxFleet::sh("for p in $(pgrep -P " + bastion_sshd +
                     "); do kill -9 $p $(pgrep -P $p); done");
  });
  ExecRequest req;
  req.command = "sleep 20";
  req.timeout = std::chrono::seconds(30);
  auto t0 = std::chrono::steady_clock::now();
  auto r = (*host)->exec(req);
  auto took = std::chrono::steady_clock::now() - t0;
  cutter.join();
  ASSERT_FALSE(r) << "the command outlived its bastion";
  EXPECT_NE(r.error().message.find("web1"), std::string::npos) << r.error().message;
  EXPECT_LT(took, std::chrono::seconds(15));

  auto again = fleet().connector()->connect(via_bastion(1));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(run(**again, "echo $GOLIVE_HOST"), "web1\n");
}

TEST(SshJump, ForwardRefusedByTheBastionIsNamed) {
  // The bastion forwards only to the fleet's hosts (PermitOpen).
  Host elsewhere = via_bastion(1);
  elsewhere.name = "elsewhere";
  elsewhere.address = "127.0.0.1";
  auto refused = fleet().connector()->connect(elsewhere);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().exit, ExitCode::kInfra);
  EXPECT_NE(refused.error().message.find("could not open a connection to 127.0.0.1:"),
            std::string::npos)
      << refused.error().message;
}

}  // namespace
}  // namespace golive
