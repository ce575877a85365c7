#include "orchestrator/audit/handover.h"

#include <algorithm>
#include <iterator>

namespace golive {
namespace {

const char* const kFill = "_missing: ";

std::string check_kind(const CheckSpec& spec) {
  static const char* const kNames[] = {"http",    "login", "private_cache", "email",
                                       "command", "tls",   "access"};
  return spec.index() < std::size(kNames) ? kNames[spec.index()] : "check";
}

std::string check_proves(const CheckSpec& spec) {
  static const char* const kProves[] = {
      "the URL answers with the expected status, headers and body within its latency",
      "users can log in, the session cookie is Secure and HttpOnly, and the protected page "
      "refuses requests without a session",
      "logged-in pages are never stored or served by a shared cache; static assets stay "
      "cacheable",
      "outgoing email is accepted by the relay (or the app's test-email endpoint works)",
      "a command on a host (or locally) exits as expected",
      "the certificate is trusted for the host name and not about to expire",
      "every session reads only the URLs the access matrix allows it"};
  return spec.index() < std::size(kProves) ? kProves[spec.index()] : "";
}

std::string environments_section(const HandoverInput& in) {
  std::string out = "## Environments and hosts\n\n";
  for (const auto& e : in.runbook->environments) {
    out += "- **" + e.name + "**" + (e.name == in.environment ? " (this handover)" : "") + ": ";
    std::string hosts;
    for (const auto& h : e.hosts) {
      hosts += (hosts.empty() ? "" : ", ") + h.name + " (" + (h.user.empty() ? "" : h.user + "@") +
               h.address + (h.port > 0 ? ":" + std::to_string(h.port) : "") + ")";
    }
    out += (hosts.empty() ? "no hosts" : hosts) + "\n";
  }
  return out + "\nDeploy root on every host: `" + in.runbook->release.path + "` (keeps " +
         std::to_string(in.runbook->release.keep) + " releases).\n\n";
}

std::string deploy_section(const HandoverInput& in) {
  const std::string& env = in.environment;
  std::string out = "## How to deploy and roll back\n\n";
  out += "- Check before shipping: `golive check " + env + "`\n";
  out += "- Deploy a commit: `golive deploy " + env + " --ref <git ref>`\n";
  out += "- Roll back to the previous good release: `golive rollback " + env +
         " --reason \"<why>\"` (or `--to <release id>`)\n";
  out += "- Run the gate's checks against what is live: `golive smoke " + env + "`\n";
  out += "- History: `golive history " + env + "`, one release: `golive show <id>`\n\n";
  out += "Rollback budget: " + format_duration(in.runbook->budget.rollback) +
         " (a deploy that fails its gate is rolled back automatically within it).\n";
  const auto restored = std::ranges::find_if(
      in.releases, [](const ReleaseRecord& r) { return r.time_to_restore_ms >= 0; });
  if (restored != in.releases.end()) {
    out +=
        "Last measured time to restore: " + format_duration(Millis(restored->time_to_restore_ms)) +
        " (release " + restored->id + ", " + restored->started_at + ").\n\n";
  } else {
    out += std::string(kFill) + "no rollback measured yet; rehearse one on staging_\n\n";
  }
  return out;
}

std::string checks_section(const HandoverInput& in) {
  std::string out = "## Checks that gate a release\n\n";
  if (in.runbook->checks.empty()) {
    return out + kFill + "no checks: add `checks:` to golive.yml_\n\n";
  }
  out += "| check | kind | what it proves |\n| --- | --- | --- |\n";
  for (const auto& c : in.runbook->checks) {
    out += "| " + c.name + " | " + check_kind(c.spec) + " | " + check_proves(c.spec) + " |\n";
  }
  const auto& g = in.runbook->gate;
  return out + "\nGate: each check must pass " + std::to_string(g.consecutive) +
         " times in a row, every " + format_duration(g.interval) + ", within " +
         format_duration(g.window) + ".\n\n";
}

std::string or_fill(const std::string& s, const std::string& what) {
  return s.empty() ? std::string(kFill) + what + "_" : s;
}

std::string inventory_section(const HandoverInput& in) {
  std::string out = "## Environment variables and secrets (names only, never values)\n\n";
  const auto& req = in.runbook->env.required;
  if (req.empty()) return out + kFill + "declare the variables in env.required_\n\n";
  out += "| name | secret | owner | scope | last rotated | stored in |\n";
  out += "| --- | --- | --- | --- | --- | --- |\n";
  for (const auto& r : req) {
    bool secret = r.secret;
    if (in.env != nullptr) {
      secret |= std::ranges::find(in.env->secret_names, r.name) != in.env->secret_names.end();
    }
    // Only secrets need an owner, a rotation date and a vault; plain settings say "-".
    auto cell = [secret](const std::string& v, const char* key) {
      return secret ? or_fill(v, key) : (v.empty() ? std::string("-") : v);
    };
    out += "| " + r.name + " | " + (secret ? "yes" : "no") + " | " + cell(r.owner, "owner") +
           " | " + cell(r.scope, "scope") + " | " + cell(r.rotated, "rotated") + " | " +
           cell(r.stored_in, "stored_in") + " |\n";
  }
  return out + "\n";
}

}  // namespace

std::string handover_markdown(const HandoverInput& in) {
  std::string out = "# Handover: " + in.runbook->app + " (" + in.environment + ")\n\n";
  out += "Generated " + in.generated_at +
         " by `golive handover`. Live facts (certificates, DNS, audit) were read at that time.\n\n";
  out += environments_section(in);
  out += deploy_section(in);
  out += checks_section(in);
  out += inventory_section(in);
  out += handover_domains(in);
  out += handover_tail(in);
  return out;
}

}  // namespace golive
