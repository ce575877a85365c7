#include "orchestrator/ledger/ledger_chain.h"

#include <array>
#include <limits>
#include <stdexcept>
#include <tuple>

#include "golive/vocabulary.h"
#include "orchestrator/adapters/crypto/sha256.h"
#include "orchestrator/ledger/ledger_json.h"

namespace golive {
namespace {

constexpr std::int64_t kUnordered = std::numeric_limits<std::int64_t>::max();

// A value as shown in a problem: short, one line.
std::string shown(const Json& value) {
  std::string text = value.is_string() ? value.as_string() : canonical_json(value);
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return "'" + text + "'";
}

// First key whose value differs, described for the user; empty when equal.
std::string first_difference(const Json& expected, const Json& actual) {
  for (const auto& [key, value] : expected.members()) {
    const Json* found = actual.find(key);
    const Json other = found != nullptr ? *found : Json();
    if (other != value) {
      return key + " is " + shown(other) + " but the chain recorded " + shown(value);
    }
  }
  return {};
}

// "step upload on web1", "check home", "event lock_taken", or just the kind.
std::string label(std::string_view kind, const Json& payload) {
  auto field = [&](const char* key) {
    const Json* v = payload.find(key);
    return v != nullptr && v->is_string() ? v->as_string() : std::string{};
  };
  std::string text(kind);
  if (!payload.is_object()) return text;
  if (kind == entry_kind::kStep) {
    text += " " + field("step");
    if (!field("host").empty()) text += " on " + field("host");
  } else if (kind == entry_kind::kCheck) {
    text += " " + field("check");
  } else if (kind == entry_kind::kEvent) {
    text += " " + field("kind");
  }
  return text;
}

std::string describe(const LedgerEntry& e) {
  std::string text = "entry #" + std::to_string(e.seq) + " (" +
                     label(e.kind, Json::parse(e.payload).value_or(Json()));
  if (!e.release_id.empty()) text += " of release " + e.release_id;
  return text + ")";
}

// Field-by-field equality without building JSON (verify compares every release).
bool same_release(const ReleaseRecord& a, const ReleaseRecord& b) {
  auto fields = [](const ReleaseRecord& r) {
    return std::tie(r.id, r.app, r.environment, r.commit, r.ref, r.subject, r.runbook_hash,
                    r.runbook_commit, r.deployer, r.trigger, r.ci_url, r.reason, r.started_at,
                    r.finished_at, r.status, r.previous_release, r.time_to_restore_ms,
                    r.allow_dirty, r.writer_pid, r.writer_host, r.writer_boot_id,
                    r.writer_start_ticks);
  };
  return fields(a) == fields(b);
}

Json normalized(std::string_view kind, const Json& payload) {
  if (kind == entry_kind::kStep) return step_to_json(step_from_json(payload));
  if (kind == entry_kind::kCheck) return check_to_json(check_from_json(payload));
  return event_to_json(event_from_json(payload));
}

std::string table_of(std::string_view kind) {
  if (kind == entry_kind::kStep) return "step_runs";
  if (kind == entry_kind::kCheck) return "checks";
  return "events";
}

}  // namespace

std::string entry_hash(std::string_view prev_hash, std::int64_t seq, std::string_view kind,
                       std::string_view release_id, std::string_view payload) {
  std::string framed = "golive-ledger-entry-v1\n";
  framed += prev_hash;
  framed += '\n' + std::to_string(seq) + '\n';
  framed += kind;
  framed += '\n' + std::to_string(release_id.size()) + ':';
  framed += release_id;
  framed += '\n';
  framed += payload;
  return sha256_hex(framed);
}

LedgerEntry next_entry(std::int64_t prev_seq, std::string_view prev_hash, std::string_view kind,
                       std::string release_id, std::string payload) {
  LedgerEntry e;
  e.seq = prev_seq + 1;
  e.kind = kind;
  e.release_id = std::move(release_id);
  e.payload = std::move(payload);
  e.prev_hash = prev_hash;
  e.hash = entry_hash(e.prev_hash, e.seq, e.kind, e.release_id, e.payload);
  return e;
}

void apply_release_update(ReleaseRecord& release, std::string_view kind, std::string_view payload) {
  const Json j = Json::parse(payload).value_or(Json());
  if (!j.is_object()) return;
  const Json* finished_at = j.find("finished_at");
  if (kind == entry_kind::kReleaseInterrupted) {
    release.status = str(ReleaseStatus::kInterrupted);
    release.finished_at =
        finished_at != nullptr && finished_at->is_string() ? finished_at->as_string() : "";
    return;
  }
  if (kind != entry_kind::kReleaseFinished) return;
  if (const Json* v = j.find("status"); v != nullptr && v->is_string()) {
    release.status = v->as_string();
  }
  if (finished_at != nullptr && finished_at->is_string()) {
    release.finished_at = finished_at->as_string();
  }
  if (const Json* v = j.find("time_to_restore_ms"); v != nullptr && v->is_integer()) {
    if (v->as_int() >= 0) release.time_to_restore_ms = v->as_int();
  }
}

void ChainVerifier::problem(std::int64_t order, std::string text) {
  problems_.emplace(order, std::move(text));
}

void ChainVerifier::add_problem(std::string text) {
  problem(-1, std::move(text));
}

void ChainVerifier::add_entry(const LedgerEntry& e) {
  ++records_;
  if (e.seq > next_seq_) {
    std::string range = e.seq == next_seq_ + 1 ? "entry #" + std::to_string(next_seq_)
                                               : "entries #" + std::to_string(next_seq_) + "..#" +
                                                     std::to_string(e.seq - 1);
    problem(next_seq_, range + " missing from the chain (deleted outside golive)");
  }
  next_seq_ = e.seq + 1;
  if (e.prev_hash != prev_hash_) {
    problem(e.seq, describe(e) +
                       ": link to the previous entry is broken (an entry before it was edited, "
                       "deleted or inserted out of order)");
  }
  if (entry_hash(e.prev_hash, e.seq, e.kind, e.release_id, e.payload) != e.hash) {
    problem(e.seq, describe(e) + ": content does not match its hash (edited outside golive)");
  }
  prev_hash_ = e.hash;

  const Json payload = Json::parse(e.payload).value_or(Json());
  if (!payload.is_object()) {
    problem(e.seq, describe(e) + ": payload is not a JSON object");
    return;
  }
  if (e.kind == entry_kind::kReleaseBegun || e.kind == entry_kind::kReleaseImported) {
    ReleaseRecord release = release_from_json(payload);
    if (release.id != e.release_id) {
      problem(e.seq, describe(e) + ": payload names release '" + release.id + "'");
    } else if (releases_.contains(release.id)) {
      problem(e.seq, describe(e) + ": release recorded twice");
    } else {
      release_seq_[release.id] = e.seq;
      releases_.emplace(release.id, std::move(release));
    }
  } else if (e.kind == entry_kind::kReleaseFinished || e.kind == entry_kind::kReleaseInterrupted) {
    auto it = releases_.find(e.release_id);
    if (it == releases_.end()) {
      problem(e.seq, describe(e) + ": the chain never began this release");
    } else {
      apply_release_update(it->second, e.kind, e.payload);
    }
  } else if (e.kind == entry_kind::kStep || e.kind == entry_kind::kCheck ||
             e.kind == entry_kind::kEvent) {
    if (!e.release_id.empty() && !releases_.contains(e.release_id)) {
      problem(e.seq, describe(e) + ": the chain never began this release");
    }
    rows_[e.seq] = Expected{e.kind, label(e.kind, payload), e.release_id,
                            canonical_json(normalized(e.kind, payload))};
  } else {
    problem(e.seq, describe(e) + ": unknown entry kind");
  }
}

void ChainVerifier::add_release_row(const ReleaseRecord& row) {
  auto it = releases_.find(row.id);
  if (it == releases_.end()) {
    problem(kUnordered, "release " + row.id + ": not in the hash chain (inserted outside golive)");
    return;
  }
  release_rows_seen_.insert(row.id);
  if (same_release(it->second, row)) return;
  std::string diff = first_difference(release_to_json(it->second), release_to_json(row));
  if (!diff.empty()) {
    std::int64_t seq = release_seq_[row.id];
    problem(seq, "release " + row.id + " (entry #" + std::to_string(seq) + "): " + diff +
                     " (edited outside golive)");
  }
}

void ChainVerifier::add_row(std::int64_t entry_seq, std::string_view kind, const std::string& table,
                            const std::string& row_json) {
  auto it = rows_.find(entry_seq);
  if (it == rows_.end() || it->second.kind != kind) {
    problem(kUnordered, table + " row claiming entry #" + std::to_string(entry_seq) +
                            ": not in the hash chain (inserted outside golive)");
    return;
  }
  it->second.seen = true;
  if (it->second.payload == row_json) return;
  std::string diff = first_difference(Json::parse(it->second.payload).value_or(Json()),
                                      Json::parse(row_json).value_or(Json()));
  std::string who = "entry #" + std::to_string(entry_seq) + " (" + it->second.label;
  if (!it->second.release_id.empty()) who += " of release " + it->second.release_id;
  problem(entry_seq,
          who + "): its " + table + " row differs: " + diff + " (edited outside golive)");
}

void ChainVerifier::add_step_row(std::int64_t entry_seq, const StepRunRecord& row) {
  add_row(entry_seq, entry_kind::kStep, "step_runs", canonical_json(step_to_json(row)));
}

void ChainVerifier::add_check_row(std::int64_t entry_seq, const CheckRecord& row) {
  add_row(entry_seq, entry_kind::kCheck, "checks", canonical_json(check_to_json(row)));
}

void ChainVerifier::add_event_row(std::int64_t entry_seq, const EventRecord& row) {
  add_row(entry_seq, entry_kind::kEvent, "events", canonical_json(event_to_json(row)));
}

VerifyReport ChainVerifier::finish() {
  for (const auto& [id, seq] : release_seq_) {
    if (!release_rows_seen_.contains(id)) {
      problem(seq, "release " + id + " (entry #" + std::to_string(seq) +
                       "): missing from releases (deleted outside golive)");
    }
  }
  for (const auto& [seq, expected] : rows_) {
    if (expected.seen) continue;
    std::string who = "entry #" + std::to_string(seq) + " (" + expected.label;
    if (!expected.release_id.empty()) who += " of release " + expected.release_id;
    problem(seq, who + "): its row is missing from " + table_of(expected.kind) +
                     " (deleted outside golive)");
  }
  VerifyReport report;
  report.records = records_;
  report.head = records_ > 0 ? prev_hash_ : std::string{};
  for (auto& [order, text] : problems_) report.problems.push_back(std::move(text));
  report.ok = report.problems.empty();
  if (!report.ok) report.first_problem = report.problems.front();
  return report;
}

}  // namespace golive
