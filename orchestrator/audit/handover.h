// `golive handover ENV`: the document a new owner runs the portal from (environments, deploy and
// rollback, the gate's checks, the env/secret inventory without values, domains and SSL, email
// DNS as found, monitoring, the audit's risk list, the last releases). Markdown, and the same as
// one self-contained HTML page.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "golive/env_check.h"
#include "golive/ledger.h"
#include "golive/runbook.h"
#include "orchestrator/adapters/dns/dns_resolver.h"
#include "orchestrator/audit/risk.h"

namespace golive {

// What was read live for the handover (certificates, DNS records), one line per fact.
struct LiveFacts {
  std::vector<std::string> certificates;  // "https://host: CN, expires <date> (N days)"
  std::vector<std::string> email_dns;     // "weak.test TXT \"v=spf1 ...\""
};

// Reads the certificates of the canonical origin and aliases and the email DNS records.
LiveFacts read_live_facts(const LaunchSpec& launch, const DnsOptions& dns, Millis timeout);

struct HandoverInput {
  const Runbook* runbook = nullptr;
  std::string environment;
  LaunchSpec launch;  // rendered
  const EnvReport* env = nullptr;
  LiveFacts facts;
  RiskList audit;
  std::vector<ReleaseRecord> releases;  // newest first (the last 10 are listed)
  std::string ledger_note;              // why releases are missing, when they are
  std::string generated_at;             // ISO-8601 UTC
};

// The handover as Markdown; sections with missing data say what to fill in.
std::string handover_markdown(const HandoverInput& in);

// The later sections (handover_sections.cc): domains, redirects and SSL; email DNS.
std::string handover_domains(const HandoverInput& in);
// Monitoring, the audit's risk list, the last releases.
std::string handover_tail(const HandoverInput& in);

// Markdown (the subset handover_markdown writes) as one HTML page, every text escaped.
std::string markdown_to_html(const std::string& markdown, const std::string& title);

}  // namespace golive
