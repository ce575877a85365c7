#include "orchestrator/insight/insight_json.h"

#include "orchestrator/adapters/json/json.h"

namespace golive {
namespace {

using json = Json;

json opt(const std::optional<long long>& v) {
  return v ? json(*v) : json(nullptr);
}

json spread_json(const Spread& s) {
  return {{"samples", s.samples}, {"median_ms", opt(s.median_ms)}, {"p90_ms", opt(s.p90_ms)}};
}

json figures_json(const DoraFigures& f) {
  return {
      {"attempts", f.attempts},
      {"reached_hosts", f.reached_hosts},
      {"deployments", f.deployments},
      {"deploys_per_week", f.deploys_per_week},
      {"change_failures", f.change_failures},
      {"change_failure_rate", f.change_failure_rate ? json(*f.change_failure_rate) : json(nullptr)},
      {"lead_time", spread_json(f.lead_time)},
      {"time_to_restore", spread_json(f.time_to_restore)}};
}

std::string str(const json& j, const char* key) {
  const json* v = j.find(key);
  return v != nullptr && v->is_string() ? v->as_string() : "";
}

std::map<std::string, std::string> string_map(const json& j) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : j.members()) {
    if (value.is_string()) out[key] = value.as_string();
  }
  return out;
}

}  // namespace

std::string diff_json(const ReleaseDiff& d) {
  json commits = json::array();
  for (const auto& c : d.commits) {
    commits.push_back({{"sha", c.sha},
                       {"short", c.sha.substr(0, 7)},
                       {"subject", c.subject},
                       {"author", c.author},
                       {"time", c.time}});
  }
  json env = json::array();
  for (const auto& c : d.env_changes) {
    env.push_back(
        {{"name", c.name}, {"change", c.change}, {"before", c.before}, {"after", c.after}});
  }
  json j = {{"environment", d.environment},
            {"ref", d.target_ref},
            {"nothing_live", d.nothing_live},
            {"live",
             {{"release", d.live.release},
              {"commit", d.live.commit},
              {"runbook_hash", d.live.runbook_hash}}},
            {"target", {{"commit", d.target.commit}, {"runbook_hash", d.target.runbook_hash}}},
            {"commits", commits},
            {"commits_truncated", d.commits_truncated},
            {"commits_note", d.commits_note},
            {"env_known", d.env_known},
            {"env_changes", env},
            {"env_keys", d.target.env_keys.size()},
            {"runbook_changed", d.runbook_changed},
            {"sections_known", d.sections_known},
            {"changed_sections", d.changed_sections},
            {"summary", diff_summary_line(d)}};
  return j.dump();
}

std::string stats_json(const DoraStats& s) {
  json per_env = json::object();
  for (const auto& [env, f] : s.per_environment) per_env[env] = figures_json(f);
  json weeks = json::array();
  for (const auto& w : s.weeks) {
    weeks.push_back(
        {{"week", w.week}, {"deployments", w.deployments}, {"change_failures", w.change_failures}});
  }
  return json({{"since_ms", s.since_ms},
               {"until_ms", s.until_ms},
               {"days", s.days},
               {"all", figures_json(s.all)},
               {"environments", per_env},
               {"weeks", weeks}})
      .dump();
}

ReleaseSide side_from_manifest(const std::string& text) {
  ReleaseSide side;
  auto parsed = json::parse(text);
  if (!parsed || !parsed->is_object()) return side;
  const json& j = *parsed;
  side.release = str(j, "release");
  side.commit = str(j, "commit");
  side.runbook_hash = str(j, "runbook_hash");
  if (const json* keys = j.find("env_keys"); keys != nullptr && keys->is_object()) {
    side.env_keys = string_map(*keys);
    side.has_env_keys = true;
  }
  if (const json* sections = j.find("runbook_sections");
      sections != nullptr && sections->is_object()) {
    side.runbook_sections = string_map(*sections);
    side.has_sections = true;
  }
  return side;
}

}  // namespace golive
