// Latency: p95 of the canonical page, the login page and the private pages over a short sample
// (launch latency_target, default 500 ms).
#include <algorithm>

#include "orchestrator/audit/audit_checks.h"

namespace golive {

void audit_latency(const AuditInput& in, Probe& probe, RiskList& out) {
  std::vector<std::pair<std::string, std::vector<std::string>>> pages{{in.launch.url, {}}};
  if (!in.launch.auth.login_url.empty()) pages.push_back({in.launch.auth.login_url, {}});
  if (!in.launch.private_urls.empty()) {
    const auto cookies = first_session(in, probe);
    for (const auto& u : in.launch.private_urls) pages.push_back({u, cookies});
  }
  for (const auto& [url, cookies] : pages) {
    std::vector<Millis> samples;
    for (int i = 0; i < in.latency_samples; ++i) {
      if (auto r = probe.get(url, cookies)) samples.push_back(r->latency);
    }
    if (samples.empty()) continue;
    std::ranges::sort(samples);
    const std::size_t idx = (samples.size() * 95 + 99) / 100 - 1;
    const Millis p95 = samples[std::min(idx, samples.size() - 1)];
    if (p95 > in.launch.latency_target) {
      out.add(Severity::kMedium, "latency", "slow page",
              url + ": p95 " + std::to_string(p95.count()) + "ms over " +
                  std::to_string(samples.size()) + " requests (target " +
                  std::to_string(in.launch.latency_target.count()) + "ms)",
              "profile the page (slow queries, missing cache for anonymous pages) or raise "
              "launch.latency_target if the target is wrong");
    }
  }
}

}  // namespace golive
