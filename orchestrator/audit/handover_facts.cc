// The handover's live facts: certificate expiry per origin and the email DNS records as found.
#include "orchestrator/adapters/crypto/x509.h"
#include "orchestrator/adapters/http/curl_http.h"
#include "orchestrator/audit/email_records.h"
#include "orchestrator/audit/handover.h"
#include "orchestrator/audit/probe.h"

namespace golive {
namespace {

void add_txt(const std::string& name, const DnsOptions& dns, bool (*keep)(const std::string&),
             LiveFacts& out) {
  auto txt = dns_txt(name, dns);
  if (!txt) {
    out.email_dns.push_back(name + ": not read (" + txt.error().message + ")");
    return;
  }
  bool any = false;
  for (const auto& r : txt->records) {
    if (!keep(r)) continue;
    out.email_dns.push_back(name + " TXT \"" + r + "\"");
    any = true;
  }
  if (!any) out.email_dns.push_back(name + ": none found");
}

}  // namespace

LiveFacts read_live_facts(const LaunchSpec& launch, const DnsOptions& dns, Millis timeout) {
  LiveFacts out;
  std::vector<std::string> origins;
  if (launch.url.starts_with("https://")) {
    origins.push_back(url_origin(launch.url));
  } else if (!launch.url.empty()) {
    out.certificates.push_back(launch.url + ": not served over https (no certificate)");
  }
  for (const auto& a : launch.aliases) {
    if (a.starts_with("https://")) origins.push_back(url_origin(a));
  }
  for (const auto& o : origins) {
    auto peer = tls_probe(o, launch.ca_file, false, timeout);
    if (!peer || peer->chain_pem.empty()) {
      out.certificates.push_back(
          o + ": not read (" + (peer ? std::string("no certificate") : peer.error().message) + ")");
      continue;
    }
    if (auto t = certificate_expiry(peer->chain_pem.front())) {
      out.certificates.push_back(o + ": " + t->subject + ", expires " + t->not_after + " (" +
                                 std::to_string(t->days_left) + " days)");
    }
  }
  if (launch.domain.empty()) return out;
  const std::string& d = launch.domain;
  add_txt(
      d, dns, [](const std::string& r) { return parse_spf(r).has_value(); }, out);
  add_txt(
      "_dmarc." + d, dns, [](const std::string& r) { return parse_dmarc(r).has_value(); }, out);
  for (const auto& sel : launch.dkim_selectors) {
    add_txt(
        sel + "._domainkey." + d, dns, [](const std::string& r) { return is_dkim_key(r); }, out);
  }
  if (auto mx = dns_mx(d, dns)) {
    for (const auto& r : mx->records) out.email_dns.push_back(d + " MX " + r);
    if (mx->records.empty()) out.email_dns.push_back(d + " MX: none found");
  }
  return out;
}

}  // namespace golive
