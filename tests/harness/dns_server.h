// Test support: a real DNS server on loopback (Debian's dnsmasq, package dnsmasq-base) serving
// TXT and MX records for test domains, on a free port, without root.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace golive::testing {

struct DnsZone {
  std::string domain;  // answered authoritatively: names under it without records are NXDOMAIN
  std::vector<std::pair<std::string, std::string>> txt;  // name -> text
  std::vector<std::pair<std::string, std::string>> mx;   // name -> mail host
};

// Starts dnsmasq in the foreground (-k) on 127.0.0.1:<free port> with --no-resolv --no-hosts and
// the zones' records; waits until it answers; kills it on destruction. Throws when it cannot.
class DnsServer {
 public:
  explicit DnsServer(const std::vector<DnsZone>& zones);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  int port() const { return port_; }
  // "127.0.0.1:<port>", the value for GOLIVE_DNS_SERVER.
  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// True when dnsmasq is installed (tests skip with a message otherwise).
bool have_dnsmasq();

}  // namespace golive::testing
