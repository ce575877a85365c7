#include "orchestrator/release/release_recorder.h"

#include <filesystem>

#include "orchestrator/adapters/crypto/sha256.h"
#include "orchestrator/ledger/ledger_location.h"
#include "orchestrator/ledger/spooling_ledger.h"

namespace golive {
namespace {

constexpr std::size_t kOutputTail = 4096;

// Replays what an earlier command spooled while the ledger could not be written (a shared server
// away, an SQLite file on a full disk), then spools again from here on if a write fails: a ledger
// must never stop a deploy or a rollback half-way, nor lose its steps and checks.
Result<std::unique_ptr<Ledger>> with_spool(AppContext& app, const std::string& path,
                                           std::unique_ptr<Ledger> ledger) {
  std::string spool = ledger_spool_path(app, path);
  auto replay = replay_spool(*ledger, spool);
  if (!replay) {
    app.reporter->warn("ledger spool " + spool + ": " + replay.error().message);
  } else {
    if (replay->replayed > 0) {
      app.reporter->info("ledger: replayed " + std::to_string(replay->replayed) +
                         " spooled record(s) from " + spool + " into " + redacted_ledger(path));
    }
    if (replay->remaining > 0) {
      app.reporter->warn("ledger: " + std::to_string(replay->remaining) +
                         " record(s) still spooled in " + spool +
                         " (the ledger still cannot be written)");
    }
    if (replay->rejected > 0) {
      app.reporter->error("ledger: " + std::to_string(replay->rejected) +
                          " spooled record(s) refused by the ledger, kept in " + spool +
                          ".rejected");
    }
  }
  Reporter* reporter = app.reporter.get();
  const std::string what = is_ledger_url(path) ? "LEDGER UNREACHABLE" : "LEDGER WRITE FAILED";
  return make_spooling_ledger(std::move(ledger), spool, [reporter, what](const std::string& m) {
    reporter->warn(what + " mid-release, carrying on: " + m);
  });
}

}  // namespace

std::string ledger_spool_path(const AppContext& app, const std::string& ledger) {
  std::filesystem::path dir = std::filesystem::path(app.options.file).parent_path();
  if (dir.empty()) dir = ".";
  // One file, however a command names it (relative or absolute path).
  std::error_code ec;
  std::string key = redacted_ledger(ledger);
  if (!is_ledger_url(ledger)) {
    auto canonical = std::filesystem::weakly_canonical(std::filesystem::absolute(ledger), ec);
    if (!ec) key = canonical.string();
  }
  return (dir / ".golive" / ("ledger-spool-" + sha256_hex(key).substr(0, 12) + ".jsonl")).string();
}

Result<std::unique_ptr<Ledger>> ReleaseRecorder::open_ledger(AppContext& app,
                                                             const std::string& path) {
  // A shared ledger's password never leaves the process, whatever message carries it.
  if (auto password = ledger_url_password(path); !password.empty()) {
    app.redactor.add("ledger password", password);
  }
  if (auto it = app.process_env.find("PGPASSWORD");
      is_ledger_url(path) && it != app.process_env.end() && !it->second.empty()) {
    app.redactor.add("PGPASSWORD", it->second);
  }
  auto ledger = app.open_ledger(path);
  if (!ledger) return std::unexpected(ledger.error());
  ledger = with_spool(app, path, std::move(*ledger));
  if (!ledger) return std::unexpected(ledger.error());
  // Records still spooled may finish the releases that look abandoned: judge them once replayed.
  if (std::filesystem::exists(ledger_spool_path(app, path))) return ledger;
  auto interrupted = (*ledger)->recover_interrupted();
  if (interrupted) {
    for (const auto& r : *interrupted) {
      app.reporter->warn("release " + r.id + " (" + r.environment + ", started " + r.started_at +
                         " by " + r.deployer +
                         ") was interrupted: its process died or stopped its heartbeat. "
                         "`golive show " +
                         r.id + "` shows what it had done; `golive releases " + r.environment +
                         "` shows what the hosts serve");
    }
  }
  return ledger;
}

Status ReleaseRecorder::open(AppContext& app, const std::string& path,
                             const ReleaseRecord& release) {
  app_ = &app;
  release_id_ = release.id;
  auto ledger = open_ledger(app, path);
  if (!ledger) {
    if (!app.options.ledger_optional) {
      return fail(ledger.error().message +
                      " (nothing was touched; --ledger-optional deploys without a record)",
                  ExitCode::kInfra);
    }
    app.reporter->error(
        "LEDGER UNAVAILABLE, deploying WITHOUT an audit record "
        "(--ledger-optional): " +
        ledger.error().message);
    return {};
  }
  ledger_ = std::move(*ledger);
  if (auto s = ledger_->begin_release(release); !s) {
    ledger_.reset();
    if (!app.options.ledger_optional) return fail(s.error().message, ExitCode::kInfra);
    app.reporter->error("LEDGER WRITE FAILED, continuing without a record: " + s.error().message);
  }
  return {};
}

void ReleaseRecorder::warn(const Status& s) {
  if (s || !app_) return;
  std::lock_guard lock(lost_mu_);
  if (!lost_.empty()) return;  // said once: every later record is lost the same way
  lost_ = s.error().message;
  app_->reporter->error("LEDGER RECORD LOST: " + lost_);
}

std::string ReleaseRecorder::record_lost() {
  if (!ledger_ || app_->options.ledger_optional) return "";
  flush();
  std::lock_guard lock(lost_mu_);
  return lost_;
}

void ReleaseRecorder::step(const StepResult& r, Phase phase) {
  if (!ledger_) return;
  StepRunRecord rec;
  rec.release_id = release_id_;
  rec.host = r.host;
  rec.step = r.step;
  rec.phase = str(phase);
  rec.started_at = iso8601(r.started);
  rec.finished_at = iso8601(r.started + r.duration);
  rec.exit_status = r.exit_status;
  rec.outcome = to_string(r.outcome);
  std::string tail =
      r.output.size() > kOutputTail ? r.output.substr(r.output.size() - kOutputTail) : r.output;
  if (!r.error.empty()) tail += (tail.empty() ? "" : "\n") + r.error;
  rec.output_tail = app_->redactor.redact(tail);
  std::lock_guard lock(queue_mu_);
  queue_.push_back(std::move(rec));
  if (!writer_.joinable()) writer_ = std::thread([this] { write_queued_steps(); });
  queue_cv_.notify_all();
}

void ReleaseRecorder::write_queued_steps() {
  std::unique_lock lock(queue_mu_);
  while (true) {
    queue_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) break;  // stopping, and nothing left to write
    std::vector<StepRunRecord> batch;
    batch.swap(queue_);
    writing_ = true;
    lock.unlock();
    {
      std::lock_guard ledger_lock(mu_);
      warn(ledger_->record_steps(batch));
    }
    lock.lock();
    writing_ = false;
    queue_cv_.notify_all();
  }
}

void ReleaseRecorder::flush() {
  std::unique_lock lock(queue_mu_);
  queue_cv_.wait(lock, [&] { return queue_.empty() && !writing_; });
}

ReleaseRecorder::~ReleaseRecorder() {
  {
    std::lock_guard lock(queue_mu_);
    stop_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void ReleaseRecorder::event(EventKind kind, const std::string& detail) {
  if (!ledger_) return;
  flush();
  std::lock_guard lock(mu_);
  warn(ledger_->record_event({release_id_, str(kind), app_->redactor.redact(detail),
                              iso8601(std::chrono::system_clock::now())}));
}

void ReleaseRecorder::set_previous(const std::string& previous) {
  if (!previous.empty()) event(EventKind::kPreviousRelease, previous);
}

void ReleaseRecorder::finish(ReleaseStatus status, const std::string& finished_at,
                             long long ttr_ms) {
  if (!ledger_) return;
  flush();
  std::lock_guard lock(mu_);
  warn(ledger_->finish_release(release_id_, str(status), finished_at, ttr_ms));
}

std::set<std::string> ReleaseRecorder::succeeded_releases(const std::string& environment) {
  std::set<std::string> ids;
  if (!ledger_) return ids;
  flush();
  std::lock_guard lock(mu_);
  HistoryQuery q;
  q.environment = environment;
  q.limit = 200;
  if (auto rows = ledger_->history(q)) {
    for (const auto& r : *rows) {
      if (is(r.status, ReleaseStatus::kSucceeded)) ids.insert(r.id);
    }
  }
  return ids;
}

std::string ReleaseRecorder::chain_head() {
  if (!ledger_) return "";
  flush();
  std::lock_guard lock(mu_);
  auto head = ledger_->head();
  return head ? *head : "";
}

ExecutionObserver reporting_observer(Reporter& reporter, ReleaseRecorder& recorder, Phase phase) {
  ExecutionObserver observer;
  observer.step_started = [&reporter](const std::string& host, const PlannedStep& step) {
    reporter.step_started(host, step.name);
  };
  observer.step_finished = [&reporter, &recorder, phase](const StepResult& r) {
    reporter.flush_stream(r.host);
    reporter.step_finished(r);
    recorder.step(r, phase);
  };
  // A release whose story can be kept nowhere (ledger and spool unwritable) switches no more
  // hosts: the failed deploy's rollback then leaves every host on a release recorded good.
  observer.may_switch = [&recorder]() -> std::string {
    std::string lost = recorder.record_lost();
    if (lost.empty()) return "";
    return "the ledger cannot record this release (" + lost + "); stopped before switching";
  };
  observer.batch_started = [&reporter, phase](std::size_t batch, std::size_t batches,
                                              const std::vector<std::string>& hosts) {
    std::string names;
    for (const auto& h : hosts) names += (names.empty() ? "" : ", ") + h;
    reporter.phase(str(phase) +
                   (batches > 1
                        ? " batch " + std::to_string(batch + 1) + "/" + std::to_string(batches)
                        : std::string()) +
                   ": " + names);
  };
  return observer;
}

}  // namespace golive
