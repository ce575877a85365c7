// Reading a host's releases.log back into ledger records (ledger sync).
#include "orchestrator/ledger/host_log.h"

namespace golive {

std::vector<Json> parse_host_log(std::string_view text) {
  std::vector<Json> lines;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    auto j = Json::parse(line);
    if (j && j->is_object()) lines.push_back(std::move(*j));
  }
  return lines;
}

std::string host_log_field(const Json& line, const char* key) {
  const Json* v = line.find(key);
  return v != nullptr && v->is_string() ? v->as_string() : "";
}

std::optional<ReleaseRecord> release_from_host_log(const Json& l, const std::string& app,
                                                   const std::string& environment,
                                                   const std::string& host) {
  const std::string event = host_log_field(l, "event");
  if (event != "deploy" && event != "rollback") return std::nullopt;
  ReleaseRecord r;
  r.id = host_log_field(l, "id");
  r.app = app;
  r.environment = environment;
  r.commit = host_log_field(l, "commit");
  r.deployer = host_log_field(l, "who");
  r.status = host_log_field(l, "outcome");
  r.started_at = host_log_field(l, "time");
  r.finished_at = host_log_field(l, "time");
  r.trigger = "cli";
  r.reason = "imported from " + host + " releases.log by ledger sync";
  if (event == "rollback") {
    // A manual rollback is history too: who restored what, from what, and why.
    r.id = host_log_field(l, "rollback_id");
    r.commit = r.ref = host_log_field(l, "id");
    r.previous_release = host_log_field(l, "from");
    r.subject = "rollback from " + r.previous_release + " to " + r.commit;
    r.trigger = "rollback";
    r.reason = host_log_field(l, "reason") + " (" + r.reason + ")";
  }
  if (r.id.empty()) return std::nullopt;
  return r;
}

}  // namespace golive
