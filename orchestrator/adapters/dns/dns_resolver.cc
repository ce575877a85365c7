#include "orchestrator/adapters/dns/dns_resolver.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <optional>

namespace golive {
namespace {

// A private resolver state per lookup: res_n* calls are thread-safe on their own state.
class Resolver {
 public:
  Resolver() { std::memset(&state_, 0, sizeof state_); }
  ~Resolver() {
    if (open_) res_nclose(&state_);
  }
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  Status open(const DnsOptions& options) {
    if (res_ninit(&state_) != 0) return fail("DNS: could not initialise the resolver");
    open_ = true;
    const auto secs = std::max<long long>(
        1, std::chrono::duration_cast<std::chrono::seconds>(options.timeout).count());
    state_.retrans = static_cast<int>(secs);
    state_.retry = 1;
    state_.options &= ~static_cast<unsigned long>(RES_DNSRCH | RES_DEFNAMES);
    if (options.server.empty()) return {};
    GOLIVE_TRY(server, parse_dns_server(options.server));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(server->second));
    inet_pton(AF_INET, server->first.c_str(), &addr.sin_addr);
    state_.nsaddr_list[0] = addr;
    state_.nscount = 1;
    return {};
  }

  // The answer section's records of `type`, each as text.
  Result<DnsAnswer> query(const std::string& name, int type) {
    std::array<unsigned char, 8192> buf{};
    h_errno = 0;
    const int n =
        res_nquery(&state_, name.c_str(), ns_c_in, type, buf.data(), static_cast<int>(buf.size()));
    if (n < 0) {
      const int err = state_.res_h_errno;
      if (err == HOST_NOT_FOUND) return DnsAnswer{false, {}};
      if (err == NO_DATA) return DnsAnswer{true, {}};
      return fail("DNS " + name + ": no answer (" +
                  std::string(err == TRY_AGAIN ? "timeout or server failure" : hstrerror(err)) +
                  ")");
    }
    ns_msg msg;
    if (ns_initparse(buf.data(), n, &msg) != 0) return fail("DNS " + name + ": unreadable answer");
    DnsAnswer out;
    for (int i = 0; i < ns_msg_count(msg, ns_s_an); ++i) {
      ns_rr rr;
      if (ns_parserr(&msg, ns_s_an, i, &rr) != 0 || ns_rr_type(rr) != type) continue;
      if (type == ns_t_txt) {
        out.records.push_back(txt_text(ns_rr_rdata(rr), ns_rr_rdlen(rr)));
      } else if (auto mx = mx_text(msg, rr)) {
        out.records.push_back(*mx);
      }
    }
    return out;
  }

 private:
  // A TXT record's character-strings, concatenated (SPF and DKIM records span several).
  static std::string txt_text(const unsigned char* p, int len) {
    std::string out;
    for (int i = 0; i < len;) {
      const int l = p[i++];
      out.append(reinterpret_cast<const char*>(p + i),
                 static_cast<std::size_t>(std::min(l, len - i)));
      i += l;
    }
    return out;
  }

  static std::optional<std::string> mx_text(const ns_msg& msg, const ns_rr& rr) {
    if (ns_rr_rdlen(rr) < 3) return std::nullopt;
    const unsigned char* p = ns_rr_rdata(rr);
    const int pref = (p[0] << 8) | p[1];
    std::array<char, NS_MAXDNAME> host{};
    if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg), p + 2, host.data(), host.size()) <
        0) {
      return std::nullopt;
    }
    return std::to_string(pref) + " " + host.data();
  }

  struct __res_state state_;
  bool open_ = false;
};

Result<DnsAnswer> lookup(const std::string& name, int type, const DnsOptions& options) {
  Resolver r;
  GOLIVE_RETURN_IF_ERROR(r.open(options));
  return r.query(name, type);
}

}  // namespace

Result<std::pair<std::string, int>> parse_dns_server(const std::string& text) {
  const auto colon = text.rfind(':');
  std::string ip = colon == std::string::npos ? text : text.substr(0, colon);
  int port = 53;
  if (colon != std::string::npos) {
    const std::string p = text.substr(colon + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    if (ec != std::errc{} || end != p.data() + p.size() || port < 1 || port > 65535) {
      return fail("GOLIVE_DNS_SERVER `" + text + "`: the port must be 1-65535");
    }
  }
  in_addr a{};
  if (inet_pton(AF_INET, ip.c_str(), &a) != 1) {
    return fail("GOLIVE_DNS_SERVER `" + text + "`: expected an IPv4 address, e.g. 127.0.0.1:5353");
  }
  return std::pair{ip, port};
}

Result<DnsAnswer> dns_txt(const std::string& name, const DnsOptions& options) {
  return lookup(name, ns_t_txt, options);
}

Result<DnsAnswer> dns_mx(const std::string& name, const DnsOptions& options) {
  return lookup(name, ns_t_mx, options);
}

}  // namespace golive
