#include "orchestrator/ledger/ledger_json.h"

namespace golive {
namespace {

std::string str(const Json& j, const char* key) {
  const Json* v = j.find(key);
  return v != nullptr && v->is_string() ? v->as_string() : std::string{};
}

std::int64_t num(const Json& j, const char* key, std::int64_t fallback) {
  const Json* v = j.find(key);
  return v != nullptr && v->is_integer() ? v->as_int() : fallback;
}

bool flag(const Json& j, const char* key) {
  const Json* v = j.find(key);
  return v != nullptr && v->is_bool() && v->as_bool();
}

}  // namespace

Json release_to_json(const ReleaseRecord& r) {
  return Json{{"id", r.id},
              {"app", r.app},
              {"environment", r.environment},
              {"commit", r.commit},
              {"ref", r.ref},
              {"subject", r.subject},
              {"runbook_hash", r.runbook_hash},
              {"runbook_commit", r.runbook_commit},
              {"deployer", r.deployer},
              {"trigger", r.trigger},
              {"ci_url", r.ci_url},
              {"reason", r.reason},
              {"started_at", r.started_at},
              {"finished_at", r.finished_at},
              {"status", r.status},
              {"previous_release", r.previous_release},
              {"time_to_restore_ms", r.time_to_restore_ms},
              {"allow_dirty", r.allow_dirty},
              {"writer_pid", r.writer_pid},
              {"writer_host", r.writer_host},
              {"writer_boot_id", r.writer_boot_id},
              {"writer_start_ticks", r.writer_start_ticks}};
}

Json step_to_json(const StepRunRecord& s) {
  return Json{{"release_id", s.release_id},
              {"host", s.host},
              {"step", s.step},
              {"phase", s.phase},
              {"started_at", s.started_at},
              {"finished_at", s.finished_at},
              {"exit_status", s.exit_status},
              {"outcome", s.outcome},
              {"output_tail", s.output_tail}};
}

Json check_to_json(const CheckRecord& c) {
  return Json{{"release_id", c.release_id}, {"check", c.check},       {"host", c.host},
              {"phase", c.phase},           {"attempts", c.attempts}, {"p50_ms", c.p50_ms},
              {"p95_ms", c.p95_ms},         {"passed", c.passed},     {"reason", c.reason}};
}

Json event_to_json(const EventRecord& e) {
  return Json{{"release_id", e.release_id}, {"kind", e.kind}, {"detail", e.detail}, {"at", e.at}};
}

ReleaseRecord release_from_json(const Json& j) {
  ReleaseRecord r;
  r.id = str(j, "id");
  r.app = str(j, "app");
  r.environment = str(j, "environment");
  r.commit = str(j, "commit");
  r.ref = str(j, "ref");
  r.subject = str(j, "subject");
  r.runbook_hash = str(j, "runbook_hash");
  r.runbook_commit = str(j, "runbook_commit");
  r.deployer = str(j, "deployer");
  r.trigger = str(j, "trigger");
  r.ci_url = str(j, "ci_url");
  r.reason = str(j, "reason");
  r.started_at = str(j, "started_at");
  r.finished_at = str(j, "finished_at");
  r.status = str(j, "status");
  r.previous_release = str(j, "previous_release");
  r.time_to_restore_ms = num(j, "time_to_restore_ms", -1);
  r.allow_dirty = flag(j, "allow_dirty");
  r.writer_pid = num(j, "writer_pid", 0);
  r.writer_host = str(j, "writer_host");
  r.writer_boot_id = str(j, "writer_boot_id");
  r.writer_start_ticks = num(j, "writer_start_ticks", 0);
  return r;
}

StepRunRecord step_from_json(const Json& j) {
  StepRunRecord s;
  s.release_id = str(j, "release_id");
  s.host = str(j, "host");
  s.step = str(j, "step");
  s.phase = str(j, "phase");
  s.started_at = str(j, "started_at");
  s.finished_at = str(j, "finished_at");
  s.exit_status = static_cast<int>(num(j, "exit_status", -1));
  s.outcome = str(j, "outcome");
  s.output_tail = str(j, "output_tail");
  return s;
}

CheckRecord check_from_json(const Json& j) {
  CheckRecord c;
  c.release_id = str(j, "release_id");
  c.check = str(j, "check");
  c.host = str(j, "host");
  c.phase = str(j, "phase");
  c.attempts = static_cast<int>(num(j, "attempts", 0));
  c.p50_ms = num(j, "p50_ms", 0);
  c.p95_ms = num(j, "p95_ms", 0);
  c.passed = flag(j, "passed");
  c.reason = str(j, "reason");
  return c;
}

EventRecord event_from_json(const Json& j) {
  EventRecord e;
  e.release_id = str(j, "release_id");
  e.kind = str(j, "kind");
  e.detail = str(j, "detail");
  e.at = str(j, "at");
  return e;
}

std::string canonical_json(const Json& j) {
  return j.dump();
}

}  // namespace golive
