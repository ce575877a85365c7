#include "orchestrator/insight/release_diff.h"

#include <set>

namespace golive {
namespace {

// Untrusted text (commit subjects, authors) on one terminal line.
std::string clean(const std::string& s) {
  std::string out;
  for (char c : s) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  return out;
}

std::string short_sha(const std::string& sha) {
  return sha.substr(0, 7);
}

}  // namespace

ReleaseDiff diff_sides(const ReleaseSide& live, const ReleaseSide& target) {
  ReleaseDiff d;
  d.live = live;
  d.target = target;
  d.env_known = live.has_env_keys;
  if (d.env_known) {
    for (const auto& [name, fp] : target.env_keys) {
      auto it = live.env_keys.find(name);
      if (it == live.env_keys.end()) {
        d.env_changes.push_back({name, "added", "", fp});
      } else if (it->second != fp) {
        d.env_changes.push_back({name, "changed", it->second, fp});
      }
    }
    for (const auto& [name, fp] : live.env_keys) {
      if (!target.env_keys.count(name)) d.env_changes.push_back({name, "removed", fp, ""});
    }
  }
  d.runbook_changed = live.runbook_hash != target.runbook_hash;
  d.sections_known = live.has_sections;
  if (d.sections_known) {
    std::set<std::string> names;
    for (const auto& [n, h] : live.runbook_sections) names.insert(n);
    for (const auto& [n, h] : target.runbook_sections) names.insert(n);
    for (const auto& n : names) {
      auto a = live.runbook_sections.find(n);
      auto b = target.runbook_sections.find(n);
      if (a == live.runbook_sections.end() || b == target.runbook_sections.end() ||
          a->second != b->second) {
        d.changed_sections.push_back(n);
      }
    }
  }
  return d;
}

std::string format_diff(const ReleaseDiff& d) {
  std::string out;
  const std::string live =
      d.nothing_live ? "nothing live" : d.live.release + " (" + short_sha(d.live.commit) + ")";
  out += d.environment + ": " + live + " -> " + d.target_ref + " (" + short_sha(d.target.commit) +
         ")\n";
  out += "\ncommits:";
  if (!d.commits_note.empty()) {
    out += " " + d.commits_note + "\n";
  } else if (d.commits.empty()) {
    out += " none (the same commit)\n";
  } else {
    out += " " + std::to_string(d.commits.size()) + (d.commits_truncated ? "+" : "") + "\n";
    for (const auto& c : d.commits) {
      out += "  " + short_sha(c.sha) + " " + clean(c.subject) + " (" + clean(c.author) + ")\n";
    }
  }
  out += "\nenv keys:";
  if (d.nothing_live) {
    out += " " + std::to_string(d.target.env_keys.size()) + " (nothing live to compare)\n";
  } else if (!d.env_known) {
    out += " unknown (the live release predates env fingerprints)\n";
  } else if (d.env_changes.empty()) {
    out += " unchanged (" + std::to_string(d.target.env_keys.size()) + " keys)\n";
  } else {
    out += "\n";
    for (const auto& c : d.env_changes) {
      const char* sign = c.change == "added" ? "+" : c.change == "removed" ? "-" : "~";
      out += "  " + std::string(sign) + " " + c.name + " " + c.change + " (" +
             (c.before.empty() ? "" : c.before) + (c.change == "changed" ? " -> " : "") +
             (c.after.empty() ? "" : c.after) + ")\n";
    }
  }
  out += "\nrunbook: ";
  if (d.nothing_live) {
    out += d.target.runbook_hash.substr(0, 12) + " (nothing live to compare)\n";
  } else if (!d.runbook_changed) {
    out += "unchanged (" + d.target.runbook_hash.substr(0, 12) + ")\n";
  } else {
    out += "changed " + d.live.runbook_hash.substr(0, 12) + " -> " +
           d.target.runbook_hash.substr(0, 12);
    if (!d.sections_known) {
      out += " (sections unknown: the live release predates section hashes)";
    } else if (!d.changed_sections.empty()) {
      out += "; sections:";
      for (const auto& s : d.changed_sections) out += " " + s;
    }
    out += "\n";
  }
  return out;
}

std::string diff_summary_line(const ReleaseDiff& d) {
  if (d.nothing_live) return "first release of " + d.environment;
  std::string out;
  if (!d.commits_note.empty()) {
    out += "commits unknown";
  } else {
    out += std::to_string(d.commits.size()) + (d.commits_truncated ? "+" : "") + " commit" +
           (d.commits.size() == 1 ? "" : "s");
  }
  if (!d.env_known) {
    out += ", env: unknown";
  } else {
    int added = 0, changed = 0, removed = 0;
    for (const auto& c : d.env_changes) {
      added += c.change == "added";
      changed += c.change == "changed";
      removed += c.change == "removed";
    }
    out += ", env: +" + std::to_string(added) + " ~" + std::to_string(changed) + " -" +
           std::to_string(removed);
  }
  out += ", runbook: ";
  if (!d.runbook_changed) {
    out += "unchanged";
  } else {
    out += "changed";
    if (!d.changed_sections.empty()) {
      out += " (";
      for (std::size_t i = 0; i < d.changed_sections.size(); ++i) {
        out += (i ? ", " : "") + d.changed_sections[i];
      }
      out += ")";
    }
  }
  return out;
}

}  // namespace golive
