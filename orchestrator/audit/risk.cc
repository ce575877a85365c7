#include "orchestrator/audit/risk.h"

#include <algorithm>
#include <cctype>

#include "orchestrator/adapters/json/json.h"

namespace golive {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "critical";
    case Severity::kHigh:
      return "high";
    case Severity::kMedium:
      return "medium";
    case Severity::kLow:
      return "low";
  }
  return "low";
}

void RiskList::add(Severity s, std::string family, std::string title, std::string seen,
                   std::string fix) {
  findings.push_back({s, std::move(family), std::move(title), std::move(seen), std::move(fix)});
}

void RiskList::rank() {
  std::ranges::stable_sort(findings, [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity < b.severity;
    if (a.family != b.family) return a.family < b.family;
    return a.title < b.title;
  });
}

int RiskList::count(Severity s) const {
  return static_cast<int>(
      std::ranges::count_if(findings, [s](const Finding& f) { return f.severity == s; }));
}

int RiskList::exit_code() const {
  return count(Severity::kCritical) + count(Severity::kHigh) > 0 ? 3 : 0;
}

namespace {

std::string counts_line(const RiskList& list) {
  return std::to_string(list.count(Severity::kCritical)) + " critical, " +
         std::to_string(list.count(Severity::kHigh)) + " high, " +
         std::to_string(list.count(Severity::kMedium)) + " medium, " +
         std::to_string(list.count(Severity::kLow)) + " low (" + std::to_string(list.requests) +
         " requests)";
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

// Markdown table cells: a pipe or newline would break the row.
std::string cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string risk_text(const RiskList& list, const std::string& title) {
  std::string out = title + "\n";
  int n = 0;
  for (const auto& f : list.findings) {
    out += "\n" + std::to_string(++n) + ". [" + upper(severity_name(f.severity)) + "] " + f.family +
           ": " + f.title + "\n   seen: " + f.seen + "\n   fix:  " + f.fix + "\n";
  }
  if (list.findings.empty()) out += "\nno launch risks found\n";
  for (const auto& note : list.notes) out += "note: " + note + "\n";
  out += "\n" + counts_line(list) + "\n";
  return out;
}

std::string risk_markdown(const RiskList& list, const std::string& title) {
  std::string out = "# " + title + "\n\n" + counts_line(list) + "\n\n";
  out += "| # | severity | area | risk | seen | fix |\n| --- | --- | --- | --- | --- | --- |\n";
  int n = 0;
  for (const auto& f : list.findings) {
    out += "| " + std::to_string(++n) + " | **" + std::string(severity_name(f.severity)) + "** | " +
           f.family + " | " + cell(f.title) + " | " + cell(f.seen) + " | " + cell(f.fix) + " |\n";
  }
  if (list.findings.empty()) out += "| - | - | - | no launch risks found | - | - |\n";
  if (!list.notes.empty()) {
    out += "\nNot checked:\n\n";
    for (const auto& note : list.notes) out += "- " + note + "\n";
  }
  return out;
}

std::string risk_json(const RiskList& list, const std::string& environment) {
  Json j = Json::object();
  j["environment"] = environment;
  Json counts = Json::object();
  for (Severity s : {Severity::kCritical, Severity::kHigh, Severity::kMedium, Severity::kLow}) {
    counts[severity_name(s)] = list.count(s);
  }
  j["counts"] = std::move(counts);
  Json items = Json::array();
  for (const auto& f : list.findings) {
    Json item = Json::object();
    item["severity"] = std::string(severity_name(f.severity));
    item["family"] = f.family;
    item["title"] = f.title;
    item["seen"] = f.seen;
    item["fix"] = f.fix;
    items.push_back(std::move(item));
  }
  j["findings"] = std::move(items);
  j["notes"] = list.notes;
  j["requests"] = list.requests;
  j["exit_code"] = list.exit_code();
  return j.dump(2);
}

}  // namespace golive
