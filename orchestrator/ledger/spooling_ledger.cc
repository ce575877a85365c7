#include "orchestrator/ledger/spooling_ledger.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "orchestrator/adapters/json/json.h"
#include "orchestrator/ledger/ledger_json.h"

namespace golive {
namespace {

using json = Json;

// An exclusive advisory lock on the spool (writers of one working copy and a replaying command).
class SpoolLock {
 public:
  explicit SpoolLock(const std::string& path) {
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    fd_ = ::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~SpoolLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  SpoolLock(const SpoolLock&) = delete;
  SpoolLock& operator=(const SpoolLock&) = delete;
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

Status append_line(const std::string& path, const std::string& line) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return fail("cannot open ledger spool " + path, ExitCode::kInfra);
  std::string text = line + "\n";
  const off_t before = ::lseek(fd, 0, SEEK_END);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::fsync(fd) == 0 && ok;
  // A record cut short by a full disk would merge with the next one: take it back whole.
  if (!ok && before >= 0) (void)::ftruncate(fd, before);
  ::close(fd);
  if (!ok) return fail("cannot write ledger spool " + path, ExitCode::kInfra);
  return {};
}

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

Status write_lines(const std::string& path, const std::vector<std::string>& lines) {
  if (lines.empty()) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    return {};
  }
  std::string tmp = path + ".tmp";
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  for (const auto& l : lines) {
    if (auto s = append_line(tmp, l); !s) return s;
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    return fail("cannot rewrite ledger spool " + path + ": " + ec.message(), ExitCode::kInfra);
  return {};
}

// Applies one spooled record; a release begun twice (its begin did reach the server) is skipped.
// Member `key` of `j`, or an empty object.
json member(const json& j, const char* key) {
  const json* v = j.find(key);
  return v != nullptr ? *v : json::object();
}
std::string text_of(const json& j, const char* key) {
  const json* v = j.find(key);
  return v != nullptr && v->is_string() ? v->as_string() : "";
}

Status apply_record(Ledger& ledger, const json& j) {
  std::string op = text_of(j, "op");
  if (op == "begin") {
    ReleaseRecord r = release_from_json(member(j, "release"));
    if (ledger.show(r.id)) return {};
    return ledger.begin_release(r);
  }
  if (op == "steps") {
    std::vector<StepRunRecord> steps;
    const json list = member(j, "steps");  // named: a temporary would die before the loop body
    for (const auto& s : list.elements()) steps.push_back(step_from_json(s));
    return ledger.record_steps(steps);
  }
  if (op == "check") return ledger.record_check(check_from_json(member(j, "check")));
  if (op == "event") return ledger.record_event(event_from_json(member(j, "event")));
  if (op == "finish") {
    const json* ttr = j.find("time_to_restore_ms");
    return ledger.finish_release(text_of(j, "id"), text_of(j, "status"), text_of(j, "finished_at"),
                                 ttr != nullptr && ttr->is_integer() ? ttr->as_int() : -1);
  }
  return fail("unknown spooled record '" + op + "'");
}

class SpoolingLedger final : public Ledger {
 public:
  SpoolingLedger(std::unique_ptr<Ledger> inner, std::string spool,
                 std::function<void(const std::string&)> warn)
      : inner_(std::move(inner)), spool_(std::move(spool)), warn_(std::move(warn)) {
    spooling_ = std::filesystem::exists(spool_);
  }

  Status begin_release(const ReleaseRecord& release) override {
    return guarded(json{{"op", "begin"}, {"release", release_to_json(release)}},
                   [&] { return inner_->begin_release(release); });
  }
  Status record_step(const StepRunRecord& step) override { return record_steps({step}); }
  Status record_steps(const std::vector<StepRunRecord>& steps) override {
    json list = json::array();
    for (const auto& s : steps) list.push_back(step_to_json(s));
    return guarded(json{{"op", "steps"}, {"steps", list}},
                   [&] { return inner_->record_steps(steps); });
  }
  Status record_check(const CheckRecord& check) override {
    return guarded(json{{"op", "check"}, {"check", check_to_json(check)}},
                   [&] { return inner_->record_check(check); });
  }
  Status record_event(const EventRecord& event) override {
    return guarded(json{{"op", "event"}, {"event", event_to_json(event)}},
                   [&] { return inner_->record_event(event); });
  }
  Status finish_release(const std::string& id, const std::string& status,
                        const std::string& finished_at, std::int64_t ttr) override {
    return guarded(json{{"op", "finish"},
                        {"id", id},
                        {"status", status},
                        {"finished_at", finished_at},
                        {"time_to_restore_ms", ttr}},
                   [&] { return inner_->finish_release(id, status, finished_at, ttr); });
  }
  Result<std::vector<ReleaseRecord>> recover_interrupted() override {
    return inner_->recover_interrupted();
  }
  Result<std::vector<ReleaseRecord>> history(const HistoryQuery& q) override {
    return inner_->history(q);
  }
  Result<ReleaseDetail> show(const std::string& id) override { return inner_->show(id); }
  Result<std::optional<ReleaseRecord>> last_good(const std::string& env) override {
    return inner_->last_good(env);
  }
  Result<VerifyReport> verify() override { return inner_->verify(); }
  Result<bool> import_release(const ReleaseRecord& r) override { return inner_->import_release(r); }
  Result<int> import_releases(const std::vector<ReleaseRecord>& r) override {
    return inner_->import_releases(r);
  }
  Result<std::string> head() override {
    std::lock_guard lock(mu_);
    if (spooling_) return std::string{};  // the server's head misses what is spooled
    return inner_->head();
  }
  Result<bool> contains_hash(const std::string& hash) override {
    return inner_->contains_hash(hash);
  }

 private:
  template <class Fn>
  Status guarded(const json& record, Fn&& write) {
    std::lock_guard lock(mu_);
    if (!spooling_) {
      auto s = write();
      if (s || s.error().exit != ExitCode::kInfra) return s;
      spooling_ = true;
      warn_(s.error().message + "; recording to " + spool_ +
            " until it is back (the next golive command replays it into the ledger)");
    }
    SpoolLock file_lock(spool_);
    return append_line(spool_, canonical_json(record));
  }

  std::unique_ptr<Ledger> inner_;
  std::string spool_;
  std::function<void(const std::string&)> warn_;
  std::mutex mu_;
  bool spooling_ = false;
};

}  // namespace

Result<SpoolReplay> replay_spool(Ledger& ledger, const std::string& spool_path) {
  SpoolReplay out;
  if (!std::filesystem::exists(spool_path)) return out;
  SpoolLock lock(spool_path);
  std::vector<std::string> lines = read_lines(spool_path);
  std::vector<std::string> rejected;
  std::size_t i = 0;
  for (; i < lines.size(); ++i) {
    auto j = json::parse(lines[i]);
    Status s = j && j->is_object() ? apply_record(ledger, *j) : fail("unreadable spool line");
    if (s) {
      ++out.replayed;
      continue;
    }
    if (s.error().exit == ExitCode::kInfra) break;  // server gone again: keep the rest in order
    rejected.push_back(lines[i]);
    ++out.rejected;
  }
  std::vector<std::string> rest(lines.begin() + static_cast<std::ptrdiff_t>(i), lines.end());
  out.remaining = static_cast<int>(rest.size());
  for (const auto& r : rejected) {
    if (auto s = append_line(spool_path + ".rejected", r); !s) return std::unexpected(s.error());
  }
  if (auto s = write_lines(spool_path, rest); !s) return std::unexpected(s.error());
  return out;
}

std::unique_ptr<Ledger> make_spooling_ledger(std::unique_ptr<Ledger> inner, std::string spool_path,
                                             std::function<void(const std::string&)> warn) {
  return std::make_unique<SpoolingLedger>(std::move(inner), std::move(spool_path), std::move(warn));
}

}  // namespace golive
