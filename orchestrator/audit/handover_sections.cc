// The handover's later sections: domains and SSL, email DNS, monitoring, the audit's risk list,
// the last releases; and the Markdown-to-HTML rendering of the whole document.
#include <algorithm>

#include "golive/visible_text.h"
#include "orchestrator/audit/handover.h"

namespace golive {
namespace {

const char* const kFill = "_missing: ";

std::string owner_of(const LaunchSpec& l, const std::string& role) {
  const auto it = l.owners.find(role);
  return it == l.owners.end() ? std::string(kFill) + "launch.owners." + role + "_" : it->second;
}

std::string table_row(std::string_view line, const char* cell) {
  std::string out = "<tr>";
  line.remove_prefix(1);
  while (!line.empty()) {
    const auto bar = line.find(" |");
    std::string_view c = line.substr(0, bar);
    while (!c.empty() && c.front() == ' ') c.remove_prefix(1);
    out += std::string("<") + cell + ">" + markup_escape(c) + "</" + cell + ">";
    if (bar == std::string_view::npos) break;
    line.remove_prefix(bar + 2);
  }
  return out + "</tr>\n";
}

}  // namespace

std::string handover_domains(const HandoverInput& in) {
  const LaunchSpec& l = in.launch;
  std::string out = "## Domains, redirects and SSL\n\n";
  out += "- Canonical URL: " + (l.url.empty() ? std::string(kFill) + "launch.url_" : l.url) + "\n";
  for (const auto& a : l.aliases) out += "- Alias (redirects to the canonical URL): " + a + "\n";
  out += "- DNS owner: " + owner_of(l, "dns") + "; registrar: " + owner_of(l, "registrar") + "\n";
  out += "- SSL renewal owner: " + owner_of(l, "ssl") + "\n";
  for (const auto& c : in.facts.certificates) out += "- Certificate " + c + "\n";
  if (l.redirects.empty()) {
    out += "\nRedirect map: " + std::string(kFill) + "launch.redirects_\n";
  } else {
    out += "\n| from | to | status |\n| --- | --- | --- |\n";
    for (const auto& r : l.redirects) {
      out += "| " + r.from + " | " + r.to + " | " + std::to_string(r.status) + " |\n";
    }
  }
  out += "\n## Email DNS\n\n";
  if (l.domain.empty()) return out + kFill + "launch.domain_\n\n";
  out += "Mail domain " + l.domain + "; email DNS owner: " + owner_of(l, "email_dns") + ".\n\n";
  for (const auto& f : in.facts.email_dns) out += "- " + f + "\n";
  return out + "\n";
}

std::string handover_tail(const HandoverInput& in) {
  std::string out = "## Monitoring\n\n";
  if (in.launch.health_url.empty() && in.launch.monitoring.empty()) {
    out += std::string(kFill) + "launch.monitoring (uptime and error tracking links, owners)_\n";
  }
  if (!in.launch.health_url.empty()) out += "- Health: " + in.launch.health_url + "\n";
  for (const auto& m : in.launch.monitoring) {
    out +=
        "- " + m.name + ": " + m.url + (m.owner.empty() ? "" : " (owner: " + m.owner + ")") + "\n";
  }
  out += "\n## Launch risks (audit)\n\n";
  if (in.audit.findings.empty()) out += "No launch risks found.\n";
  for (const auto& f : in.audit.findings) {
    out += "- **" + std::string(severity_name(f.severity)) + "** " + f.family + ": " + f.title +
           ": " + f.seen + ". Fix: " + f.fix + "\n";
  }
  for (const auto& n : in.audit.notes) out += "- not checked: " + n + "\n";
  out += "\n## Last releases\n\n";
  if (in.releases.empty()) {
    return out + std::string(kFill) + "no releases in the ledger" +
           (in.ledger_note.empty() ? "" : " (" + in.ledger_note + ")") + "_\n";
  }
  out += "| release | started | status | commit | deployer |\n| --- | --- | --- | --- | --- |\n";
  const std::size_t n = std::min<std::size_t>(in.releases.size(), 10);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& r = in.releases[i];
    out += "| " + r.id + " | " + r.started_at + " | " + r.status + " | " + r.commit.substr(0, 12) +
           " | " + r.deployer + " |\n";
  }
  return out;
}

std::string markdown_to_html(const std::string& markdown, const std::string& title) {
  std::string out = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" +
                    markup_escape(title) +
                    "</title><style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
                    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em}"
                    "</style></head><body>\n";
  bool list = false;
  bool table = false;
  std::size_t start = 0;
  while (start < markdown.size()) {
    const auto end = std::min(markdown.find('\n', start), markdown.size());
    const std::string_view line(markdown.data() + start, end - start);
    start = end + 1;
    if (list && !line.starts_with("- ")) {
      out += "</ul>\n";
      list = false;
    }
    if (table && !line.starts_with("|")) {
      out += "</table>\n";
      table = false;
    }
    if (line.starts_with("## ")) {
      out += "<h2>" + markup_escape(line.substr(3)) + "</h2>\n";
    } else if (line.starts_with("# ")) {
      out += "<h1>" + markup_escape(line.substr(2)) + "</h1>\n";
    } else if (line.starts_with("- ")) {
      if (!list) out += "<ul>\n";
      list = true;
      out += "<li>" + markup_escape(line.substr(2)) + "</li>\n";
    } else if (line.starts_with("| ---")) {
      continue;
    } else if (line.starts_with("|")) {
      out += table ? table_row(line, "td") : "<table>\n" + table_row(line, "th");
      table = true;
    } else if (!line.empty()) {
      out += "<p>" + markup_escape(line) + "</p>\n";
    }
  }
  if (list) out += "</ul>\n";
  if (table) out += "</table>\n";
  return out + "</body></html>\n";
}

}  // namespace golive
