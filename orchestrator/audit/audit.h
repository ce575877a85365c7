// `golive audit ENV`: the launch risks of a live environment, checked from outside (TLS,
// redirects, headers, exposure, cache and edge, email DNS, the access matrix, auth basics,
// secrets and env, latency), ranked (docs/launch-readiness.md).
#pragma once

#include <chrono>
#include <string>

#include "golive/env_check.h"
#include "golive/launch.h"
#include "golive/runbook.h"
#include "orchestrator/adapters/dns/dns_resolver.h"
#include "orchestrator/audit/risk.h"

namespace golive {

struct AuditInput {
  std::string environment;
  LaunchSpec launch;                    // rendered (templates filled in)
  const Runbook* runbook = nullptr;     // for the secret inventory
  const EnvReport* env = nullptr;       // the environment's values; null: not loadable
  std::vector<std::string> env_errors;  // why the env could not be loaded / its problems
  DnsOptions dns;
  Millis timeout = std::chrono::seconds(10);  // per request
  int latency_samples = 5;                    // per measured page
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// Runs every check family and returns the ranked list.
RiskList run_audit(const AuditInput& input);

}  // namespace golive
