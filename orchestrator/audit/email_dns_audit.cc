// Email DNS for launch.domain: SPF present and strict (no +all, at most 10 lookups), DMARC with
// an enforcing policy, DKIM keys for the configured selectors, and MX records.
#include <algorithm>

#include "orchestrator/audit/audit_checks.h"
#include "orchestrator/audit/email_records.h"

namespace golive {
namespace {

const char* const kSpfFix =
    "publish one TXT record `v=spf1 include:<your mail provider> -all` (or ~all while testing)";

void check_spf(const std::string& domain, const DnsOptions& dns, RiskList& out) {
  auto txt = dns_txt(domain, dns);
  if (!txt) {
    out.notes.push_back("SPF not checked: " + txt.error().message);
    return;
  }
  std::vector<SpfRecord> spf;
  std::string text;
  for (const auto& r : txt->records) {
    if (auto s = parse_spf(r)) {
      spf.push_back(*s);
      text = r;
    }
  }
  if (spf.empty()) {
    out.add(Severity::kHigh, "email", "SPF record missing", domain + " has no v=spf1 TXT record",
            kSpfFix);
    return;
  }
  if (spf.size() > 1) {
    out.add(Severity::kHigh, "email", "several SPF records",
            domain + " has " + std::to_string(spf.size()) + " v=spf1 records (receivers fail all)",
            "merge them into one v=spf1 record");
  }
  const SpfRecord& s = spf.front();
  const std::string seen = domain + " TXT \"" + text + "\"";
  if (s.all == "+") {
    out.add(Severity::kCritical, "email", "SPF allows every sender (+all)", seen,
            "end the record with -all (or ~all), never +all");
  } else if (s.all.empty() || s.all == "?") {
    out.add(Severity::kMedium, "email", "SPF does not reject other senders", seen,
            "end the record with -all (or ~all)");
  }
  if (s.lookups > 10) {
    out.add(Severity::kHigh, "email", "SPF needs more than 10 DNS lookups",
            seen + " (" + std::to_string(s.lookups) + " lookups; receivers answer permerror)",
            "flatten includes to ip4:/ip6: ranges until at most 10 lookups remain");
  }
  for (const auto& e : s.errors) {
    out.add(Severity::kHigh, "email", "SPF record does not parse", seen + ": " + e, kSpfFix);
  }
}

void check_dmarc(const std::string& domain, const DnsOptions& dns, RiskList& out) {
  auto txt = dns_txt("_dmarc." + domain, dns);
  if (!txt) {
    out.notes.push_back("DMARC not checked: " + txt.error().message);
    return;
  }
  const std::string fix = "publish `_dmarc." + domain +
                          " TXT \"v=DMARC1; p=quarantine; rua=mailto:dmarc@" + domain +
                          "\"` (p=reject once reports are clean)";
  for (const auto& r : txt->records) {
    auto d = parse_dmarc(r);
    if (!d) continue;
    const std::string seen = "_dmarc." + domain + " TXT \"" + r + "\"";
    if (d->policy.empty() || !d->errors.empty()) {
      out.add(Severity::kHigh, "email", "DMARC record has no valid policy", seen, fix);
    } else if (d->policy == "none") {
      out.add(Severity::kMedium, "email", "DMARC policy is p=none (monitoring only)", seen, fix);
    }
    return;
  }
  out.add(Severity::kHigh, "email", "DMARC record missing",
          "_dmarc." + domain + " has no v=DMARC1 TXT record", fix);
}

void check_dkim(const AuditInput& in, RiskList& out) {
  const std::string& domain = in.launch.domain;
  if (in.launch.dkim_selectors.empty()) {
    out.add(Severity::kMedium, "email", "no DKIM selector configured",
            "launch.dkim_selectors is empty: DKIM for " + domain + " cannot be verified",
            "list the selectors your mail provider signs with in launch.dkim_selectors");
    return;
  }
  for (const auto& sel : in.launch.dkim_selectors) {
    const std::string name = sel + "._domainkey." + domain;
    auto txt = dns_txt(name, in.dns);
    if (!txt) {
      out.notes.push_back("DKIM " + sel + " not checked: " + txt.error().message);
      continue;
    }
    const bool ok = std::ranges::any_of(txt->records, [](const auto& r) { return is_dkim_key(r); });
    if (!ok) {
      out.add(Severity::kHigh, "email", "DKIM key missing", name + " has no DKIM key record",
              "publish the DKIM public key your mail provider gives you at " + name);
    }
  }
}

}  // namespace

void audit_email_dns(const AuditInput& in, RiskList& out) {
  const std::string& domain = in.launch.domain;
  if (domain.empty()) {
    out.notes.push_back("email DNS not checked: no launch.domain");
    return;
  }
  check_spf(domain, in.dns, out);
  check_dmarc(domain, in.dns, out);
  check_dkim(in, out);
  auto mx = dns_mx(domain, in.dns);
  if (!mx) {
    out.notes.push_back("MX not checked: " + mx.error().message);
  } else if (mx->records.empty()) {
    out.add(Severity::kMedium, "email", "no MX record", domain + " has no MX record",
            "publish MX records for " + domain + " (replies and bounces go nowhere without)");
  }
}

}  // namespace golive
