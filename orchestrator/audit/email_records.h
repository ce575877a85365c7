// Parsers for the email DNS records the audit judges: SPF (RFC 7208) and DMARC (RFC 7489).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace golive {

struct SpfRecord {
  std::string all;  // qualifier of the `all` mechanism: "+", "-", "~", "?"; empty: none
  int lookups = 0;  // DNS-querying terms: include, a, mx, ptr, exists, redirect
  std::vector<std::string> errors;  // unknown mechanisms, bad syntax
};

// Parses "v=spf1 ..."; nullopt when the text is not an SPF record at all.
std::optional<SpfRecord> parse_spf(std::string_view text);

struct DmarcRecord {
  std::string policy;  // p=: none, quarantine, reject; empty when missing
  std::string rua;     // aggregate report address(es)
  int pct = 100;
  std::vector<std::string> errors;
};

// Parses "v=DMARC1; p=...; ..."; nullopt when the text is not a DMARC record.
std::optional<DmarcRecord> parse_dmarc(std::string_view text);

// True for a DKIM key record ("v=DKIM1; ... p=<key>"); an empty p= (a revoked key) is false.
bool is_dkim_key(std::string_view text);

}  // namespace golive
