// Writes one release's story into the ledger as it happens. Owns the ledger-optional policy:
// with --ledger-optional a broken ledger is reported loudly and the deploy goes on unrecorded.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "golive/ledger.h"
#include "golive/step_result.h"
#include "golive/vocabulary.h"
#include "orchestrator/context/app_context.h"
#include "orchestrator/release/executor.h"

namespace golive {

// Where records wait while the ledger cannot be written (a shared server unreachable, an SQLite
// file's disk full): a file under the runbook's .golive/, one per ledger location.
std::string ledger_spool_path(const AppContext& app, const std::string& ledger);

class ReleaseRecorder {
 public:
  ReleaseRecorder() = default;
  ~ReleaseRecorder();  // writes any queued step records first
  ReleaseRecorder(const ReleaseRecorder&) = delete;
  ReleaseRecorder& operator=(const ReleaseRecorder&) = delete;

  // Opens the ledger, marks releases interrupted by dead processes, records `release`.
  Status open(AppContext& app, const std::string& path, const ReleaseRecord& release);
  // Opens the ledger for a command that reads or writes it but records no new release.
  static Result<std::unique_ptr<Ledger>> open_ledger(AppContext& app, const std::string& path);

  bool open_ok() const { return ledger_ != nullptr; }
  // The ledger, after every queued step record is written (so direct writes stay in order).
  Ledger* ledger() {
    flush();
    return ledger_.get();
  }

  // Queues the step's record and returns at once: a writer thread commits whatever has queued
  // up in one transaction (group commit), so hosts never wait on each other's fsyncs. The other
  // writes below first flush the queue, keeping the ledger's chain in the order things happened.
  void step(const StepResult& r, Phase phase);
  // Blocks until every queued step record is written.
  void flush();
  void event(EventKind kind, const std::string& detail);
  void set_previous(const std::string& previous);
  void finish(ReleaseStatus status, const std::string& finished_at, long long ttr_ms);
  // Why a record of this release was lost (neither the ledger nor its spool took it); empty when
  // none was, or with --ledger-optional (the operator chose to deploy without a record).
  std::string record_lost();
  // Ids of the environment's releases the ledger records `succeeded` (recent ones; empty
  // without a ledger): with the hosts' marks, what a rollback may restore.
  std::set<std::string> succeeded_releases(const std::string& environment);
  // Latest hash of the ledger's chain, written to the hosts' releases.log; empty without one.
  std::string chain_head();

 private:
  void warn(const Status& s);
  void write_queued_steps();

  AppContext* app_ = nullptr;
  std::unique_ptr<Ledger> ledger_;
  std::string release_id_;
  std::mutex mu_;  // one ledger call at a time
  std::mutex lost_mu_;
  std::string lost_;  // the first lost record's error

  std::mutex queue_mu_;  // guards the fields below
  std::condition_variable queue_cv_;
  std::vector<StepRunRecord> queue_;
  bool writing_ = false;
  bool stop_ = false;
  std::thread writer_;
};

// An observer that reports each finished step (flushing its host's output first) and records it
// in `recorder` under `phase` (deploy|rollback).
ExecutionObserver reporting_observer(Reporter& reporter, ReleaseRecorder& recorder, Phase phase);

}  // namespace golive
