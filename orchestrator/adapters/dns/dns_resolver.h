// DNS lookups through glibc's stub resolver (libresolv): TXT and MX records for the audit's
// email checks. The server is the system's (/etc/resolv.conf) unless one is named, e.g.
// GOLIVE_DNS_SERVER=127.0.0.1:5353 for tests and split-horizon setups.
#pragma once

#include <string>
#include <vector>

#include "golive/duration.h"
#include "golive/error.h"

namespace golive {

// Where to ask and how long to wait.
struct DnsOptions {
  std::string server;  // "ip" or "ip:port" (IPv4); empty: the system resolver configuration
  Millis timeout = std::chrono::seconds(3);
};

// What a lookup found: records (TXT strings joined per record; MX as "pref host"), or that the
// name does not exist / has no such records. An error only when no answer came (timeout,
// refused, SERVFAIL, bad server).
struct DnsAnswer {
  bool exists = true;  // false: NXDOMAIN
  std::vector<std::string> records;
};

Result<DnsAnswer> dns_txt(const std::string& name, const DnsOptions& options);
Result<DnsAnswer> dns_mx(const std::string& name, const DnsOptions& options);

// Parses "ip" or "ip:port" (IPv4); an error naming what is wrong.
Result<std::pair<std::string, int>> parse_dns_server(const std::string& text);

}  // namespace golive
