#include "orchestrator/release/deploy.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>

#include "golive/crash_point.h"
#include "golive/env_check.h"
#include "golive/visible_text.h"
#include "golive/vocabulary.h"
#include "orchestrator/adapters/json/json.h"
#include "orchestrator/release/ci_report.h"
#include "orchestrator/release/deadline_watch.h"
#include "orchestrator/release/gate_runner.h"
#include "orchestrator/release/identity.h"
#include "orchestrator/release/live_diff.h"
#include "orchestrator/release/notify.h"
#include "orchestrator/release/plan.h"
#include "orchestrator/release/reconnecting_host.h"
#include "orchestrator/release/release_ending.h"
#include "orchestrator/release/release_recorder.h"
#include "orchestrator/release/remote_lock.h"
#include "orchestrator/release/rollback.h"
#include "orchestrator/release/target.h"
#include "orchestrator/secrets/dotenv.h"
#include "steps/release_layout.h"

namespace golive {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

// The state of one deploy as it moves through its phases. Each phase returns a Status; the
// first error ends the deploy with the exit code it carries.
class Deploy {
 public:
  Deploy(AppContext& app, const DeployArgs& args) : app_(app), args_(args), rep_(*app.reporter) {}
  ~Deploy() {
    if (!export_dir_.empty()) std::filesystem::remove_all(export_dir_);
  }

  int run() {
    // 1. Validate the runbook before anything else (exit 2 with every error).
    if (auto s = load_runbook_and_environment(); !s) return finish_blocked(s.error());
    deadline_ = SteadyClock::now() + runbook_.budget.deploy;
    // 2. Identify the release (commit, deployer) and open its ledger record, so even a blocked
    //    release leaves a trace.
    if (auto s = identify_release(); !s) return finish_blocked(s.error());
    if (auto s = open_record(); !s) return finish_blocked(s.error());
    crash_point("after-record");
    // 3. Check the release's environment: completeness and secrets (exit 3, no host contacted).
    if (auto s = check_environment_and_plan(); !s) return finish_blocked(s.error());
    // 4. Build the exact commit in a clean export; refuse an artifact that leaks a secret.
    if (auto s = build_and_scan(); !s) return finish_blocked(s.error());
    crash_point("after-build");
    // 5. Reach every host and take the deploy lock (nothing changed yet).
    if (auto s = connect_and_lock(); !s) return finish_blocked(s.error());
    if (auto s = confirm_environment(); !s) return finish_blocked(s.error());
    if (auto s = not_interrupted_nor_over_budget(); !s) return finish_blocked(s.error());
    // 6. Ship: release dirs and env file everywhere, then the steps, batch by batch; by default
    //    each batch passes its gate before the next one starts (gate_batch).
    ExecutionResult execution = ship();
    if (!execution.ok) {
      return roll_back(execution, execution.gate_failed ? execution.failure
                                  : interrupted()       ? interrupted_why("during the steps")
                                  : execution.failure == over_budget_why()
                                      ? execution.failure
                                      : "step failed: " + execution.failure);
    }
    // 7. Gate: the release must prove itself to a customer's eyes before it is called done. A
    //    signal during the gate is an interrupted deploy, never a success. Gated per batch, the
    //    last batch's gate was this one.
    if (!gated_per_batch()) {
      if (auto why = gate_whole_release()) return roll_back(execution, *why);
    }
    // 8. Record success on the hosts and in the ledger; prune old releases.
    crash_point("after-gate");
    return finish_succeeded();
  }

 private:
  // The gate over the whole fleet at once (`strategy.gate_each_batch: false`): why the release must
  // roll back, or nothing when it passed. It, too, ends within budget.deploy.
  std::optional<std::string> gate_whole_release() {
    GateSpec gate = runbook_.gate;
    gate.window =
        std::min(gate.window, std::chrono::duration_cast<Millis>(deadline_ - SteadyClock::now()));
    if (gate.window <= Millis(0)) return over_budget_why();
    GateVerdict verdict = run_and_record_gate(app_, gate, plan_.checks, fleet_.by_name,
                                              record_.ledger(), plan_.release_id, Phase::kGate);
    junit_.add(app_, "golive gate", verdict);
    if (verdict.interrupted || interrupted()) return interrupted_why("during the gate");
    if (!verdict.passed) return "gate failed: " + gate_failure_summary(verdict);
    return std::nullopt;
  }

  // A deploy killed with SIGKILL cannot remove its clean export; the next one on this machine
  // removes every export whose owner process is gone (the pid is in the directory name).
  static void remove_stale_build_dirs() {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/tmp", ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("golive-build-", 0) != 0) continue;
      const std::string pid = name.substr(13, name.find('-', 13) - 13);
      if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
      if (::kill(std::stoi(pid), 0) == 0 || errno == EPERM) continue;  // still alive
      fs::remove_all(entry.path(), ec);
    }
  }

  bool interrupted() const { return app_.cancel != nullptr && app_.cancel->load(); }
  std::string interrupted_why(const std::string& when) const {
    return "interrupted by " + signal_description(app_) + " " + when;
  }
  // Before any host changed, a signal or the spent budget ends the deploy as blocked: nothing to
  // roll back.
  Status not_interrupted_nor_over_budget() const {
    if (interrupted())
      return fail(interrupted_why("before any host changed"), ExitCode::kPreflight);
    if (SteadyClock::now() >= deadline_) {
      return fail(over_budget_why() + " before any host changed", ExitCode::kPreflight);
    }
    return {};
  }

  Status load_runbook_and_environment() {
    auto rb = load_runbook(app_);
    if (!rb) return std::unexpected(rb.error());
    runbook_ = std::move(*rb);
    auto env = find_environment(runbook_, args_.environment);
    if (!env) return std::unexpected(env.error());
    env_ = *env;
    return {};
  }

  Status check_environment_and_plan() {
    auto report = check_release_env(runbook_, env_->name, app_.process_env, app_.local.get());
    if (!report) return fail(report.error().message, ExitCode::kPreflight);
    env_report_ = std::move(*report);
    add_secrets(env_report_, app_.redactor);
    for (const auto& w : env_report_.warnings) {
      rep_.warn(format_env_problem(w));
    }
    if (!env_report_.ok()) {
      for (const auto& p : env_report_.problems) rep_.error(format_env_problem(p));
      return fail(std::to_string(env_report_.problems.size()) + " environment problem(s) in " +
                      env_->name + "; nothing was touched",
                  ExitCode::kPreflight);
    }
    for (const auto& [k, v] : env_report_.values) env_values_[k] = v.value;
    auto plan = make_plan(runbook_, env_->name, release_id_, env_values_);
    if (!plan) return std::unexpected(plan.error());
    plan_ = std::move(*plan);
    return {};
  }

  Status identify_release() {
    auto repo = app_.open_git(runbook_.dir);
    if (!repo) return fail(repo.error().message, ExitCode::kUsage);
    repo_ = std::move(*repo);
    auto commit = repo_->resolve(args_.ref);
    if (!commit) return fail(commit.error().message, ExitCode::kUsage);
    commit_ = *commit;
    auto dirty = repo_->is_dirty();
    if (!dirty) return std::unexpected(dirty.error());
    commit_.dirty = *dirty;
    if (*dirty && !args_.allow_dirty) {
      return fail(
          "the working tree has uncommitted changes; commit them, or deploy anyway with "
          "--allow-dirty (recorded). golive ships the commit " +
              commit_.sha.substr(0, 7) + ", not your working tree",
          ExitCode::kPreflight);
    }
    release_id_ = make_release_id(app_.clock->wall(), commit_.sha, random_release_nonce());
    deployer_ = detect_deployer(repo_.get(), app_.process_env);
    rep_.info("release " + release_id_ + ": " + runbook_.app + " " + commit_.sha.substr(0, 7) +
              " \"" + commit_.subject + "\" -> " + env_->name + " (" +
              std::to_string(env_->hosts.size()) + " hosts) by " + deployer_);
    return {};
  }

  Status open_record() {
    ReleaseRecord r;
    r.id = release_id_;
    r.app = runbook_.app;
    r.environment = env_->name;
    r.commit = commit_.sha;
    r.ref = args_.ref;
    r.subject = commit_.subject;
    r.runbook_hash = runbook_.content_hash;
    r.runbook_commit = commit_.sha;
    r.deployer = deployer_;
    r.trigger = detect_trigger(app_.process_env);
    r.ci_url = ci_run_url(app_.process_env);
    r.reason = app_.redactor.redact(args_.reason);
    r.started_at = iso8601(app_.clock->wall());
    r.allow_dirty = commit_.dirty;
    return record_.open(app_, ledger_path(app_, &runbook_), r);
  }

  Status build_and_scan() {
    remove_stale_build_dirs();
    std::string tmpl = "/tmp/golive-build-" + std::to_string(::getpid()) + "-XXXXXX";
    if (!mkdtemp(tmpl.data())) {
      return fail("cannot create a build directory in /tmp", ExitCode::kInfra);
    }
    export_dir_ = tmpl;
    if (auto s = repo_->export_tree(commit_.sha, export_dir_); !s) return s;
    // The runbook may live in a subdirectory of the repository: build there.
    fs::path rel =
        fs::relative(fs::weakly_canonical(runbook_.dir), fs::weakly_canonical(repo_->workdir()));
    build_dir_ = (fs::path(export_dir_) / rel).lexically_normal().string();
    if (!plan_.build.empty()) rep_.phase("build");
    for (const auto& step : plan_.build) {
      rep_.info("build: " + step.name);
      StepContext ctx;
      ctx.local = app_.local.get();
      ctx.local_cwd = build_dir_;
      ctx.local_env = env_values_;
      // What is being built, for version stamps (never secrets: those stay in env values).
      ctx.local_env["GOLIVE_COMMIT"] = commit_.sha;
      ctx.local_env["GOLIVE_RELEASE_ID"] = release_id_;
      ctx.local_env["GOLIVE_ENVIRONMENT"] = env_->name;
      ctx.on_output = rep_.stream_for("build");
      ctx.cancel = app_.cancel;
      StepResult r = run_step(step, ctx);
      rep_.flush_stream("build");
      record_.step(r, Phase::kBuild);
      if (!r.ok()) {
        const std::string when = "during build step '" + step.name + "', before any host changed";
        return fail(interrupted()
                        ? interrupted_why(when)
                        : "build step '" + step.name + "' " + r.error + "; nothing was shipped",
                    ExitCode::kPreflight);
      }
    }
    artifact_dir_ = (fs::path(build_dir_) / runbook_.artifact).lexically_normal().string();
    if (!fs::is_directory(artifact_dir_)) {
      return fail("artifact '" + runbook_.artifact + "' was not produced by the build (looked in " +
                      artifact_dir_ + ")",
                  ExitCode::kPreflight);
    }
    ArchiveOptions archive_options;
    archive_options.with_manifest = true;  // the next deploy ships a delta against this one
    auto archive = UploadArchive::build(artifact_dir_, archive_options);
    if (!archive) return fail(archive.error().message, ExitCode::kPreflight);
    archive_ = *archive;
    GOLIVE_RETURN_IF_ERROR(compress_archive(archive_options));
    auto findings = scan_for_secrets(artifact_dir_, env_report_);
    if (!findings) return fail(findings.error().message, ExitCode::kPreflight);
    if (!findings->empty()) {
      for (const auto& f : *findings) {
        rep_.error("secret in build output: " + runbook_.artifact + f.file + " at byte " +
                   std::to_string(f.offset) + ": " + f.what);
      }
      return fail(std::to_string(findings->size()) +
                      " secret(s) found in the build output; "
                      "nothing was shipped",
                  ExitCode::kPreflight);
    }
    return {};
  }

  // upload.compress: ships the zstd-compressed twin of the archive when choose_zstd() says so
  // (`auto` builds the trial only when no host is on loopback).
  Status compress_archive(ArchiveOptions options) {
    const std::string& mode = runbook_.upload.compress;
    std::vector<std::string> addresses;
    for (const auto& h : env_->hosts) addresses.push_back(h.address);
    if (mode == "none" || (mode == "auto" && !choose_zstd("auto", addresses, 1, 0))) return {};
    options.zstd = true;
    auto packed = UploadArchive::build(artifact_dir_, options);
    if (!packed) return fail(packed.error().message, ExitCode::kPreflight);
    if (!choose_zstd(mode, addresses, archive_->size(), (*packed)->size())) return {};
    rep_.info("upload: zstd, " + std::to_string(archive_->size()) + " -> " +
              std::to_string((*packed)->size()) + " bytes");
    archive_ = *packed;
    return {};
  }

  Status connect_and_lock() {
    auto fleet = connect_fleet(app_, runbook_, *env_);
    if (!fleet) return std::unexpected(fleet.error());
    fleet_ = std::move(*fleet);
    crash_point("after-connect");
    LockOwner owner{deployer_,   local_host_name(),           std::to_string(getpid()),
                    release_id_, iso8601(app_.clock->wall()), app_.redactor.redact(args_.reason)};
    lock_root_ = plan_.hosts[0].root;
    std::string broken;
    if (auto s = acquire_lock_reclaiming(*fleet_.hosts[0], lock_root_, owner, broken); !s) {
      return s;
    }
    lock_.held(*fleet_.hosts[0], lock_root_);
    ending_.set_scope(ending_scope());
    crash_point("after-lock");
    if (!broken.empty()) {
      rep_.warn("broke a deploy lock left by a dead process: " + broken);
      record_.event(EventKind::kLockBroken, broken);
    }
    record_.event(EventKind::kLockTaken, plan_.hosts[0].host.name + ":" + lock_root_);
    // The heartbeat's own session: RemoteHost is single-threaded and steps may run for minutes.
    lock_.start_heartbeat([this, connector = std::shared_ptr<HostConnector>()]() mutable {
      if (!connector) connector = app_.make_connector(connect_options(runbook_, *env_));
      return connector->connect(env_->hosts[0]);
    });
    // What each host serves now is what a rollback restores: read it from the host.
    previous_.resize(plan_.hosts.size());
    std::vector<HostState> states(plan_.hosts.size());
    std::vector<std::string> errors(plan_.hosts.size());
    for_each_host_parallel(plan_.hosts.size(), [&](std::size_t i) {
      auto st = read_host_state(*fleet_.hosts[i], plan_.hosts[i].root);
      if (!st) {
        errors[i] = st.error().message;
      } else {
        previous_[i] = st->current;
        states[i] = std::move(*st);
      }
    });
    for (const auto& e : errors) {
      if (!e.empty()) return fail(e, ExitCode::kInfra);
    }
    record_.set_previous(previous_[0]);
    // A failure restores the newest release recorded good, the same on every host; decided now,
    // before anything changes.
    rollback_target_ =
        previous_good_release(states, release_id_, record_.succeeded_releases(env_->name));
    announce_changes();
    return {};
  }

  // What is about to ship, against what host 0 serves: one line, and the opt-in `started`
  // notification. Key names and fingerprints only, never a value.
  void announce_changes() {
    target_side_ = target_side(runbook_, *env_, commit_.sha, env_values_);
    changes_ = diff_against_live(*fleet_.hosts[0], plan_.hosts[0].root, previous_[0], *repo_,
                                 env_->name, args_.ref, target_side_);
    const std::string summary = diff_summary_line(changes_);
    rep_.info("changes: " + summary);
    record_.event(EventKind::kChanges,
                  summary);  // so `golive show` tells what this release changed
    NotifyEvent started{"started", runbook_.app, env_->name, release_id_, commit_.sha,
                        deployer_, "",           summary,    -1};
    send_notifications(app_, runbook_.notify, env_->vars, env_values_, started, record_.ledger());
  }

  // environments.<name>.confirm: on a terminal, what will ship and a typed environment name
  // before any host changes; --yes or CI=true skip it. The ledger says how it was confirmed.
  Status confirm_environment() {
    if (!env_->confirm) return {};
    if (app_.options.yes) {
      record_.event(EventKind::kConfirm,
                    running_in_ci(app_.process_env) ? "skipped: CI=true" : "skipped: --yes");
      return {};
    }
    std::string hosts;
    for (const auto& h : env_->hosts) hosts += (hosts.empty() ? "" : ", ") + h.name;
    const auto asked = SteadyClock::now();
    auto typed = ask_typed(app_, "\n" + format_diff(changes_) + "\nhosts: " + hosts +
                                     "\n\nDeploy " + commit_.sha.substr(0, 7) + " to " +
                                     env_->name + "? Type the environment's name to confirm: ");
    deadline_ += SteadyClock::now() - asked;  // reading time is not the deploy's budget
    if (!typed) {
      record_.event(EventKind::kConfirm, "no terminal to ask on");
      return fail(env_->name + " needs a typed confirmation (environments." + env_->name +
                      ".confirm): run on a terminal, or pass --yes; nothing was touched",
                  ExitCode::kPreflight);
    }
    if (*typed != env_->name) {
      record_.event(EventKind::kConfirm, "refused: typed '" + visible(*typed) + "'");
      return fail("confirmation failed: typed '" + visible(*typed) + "', not '" + env_->name +
                      "'; nothing was touched",
                  ExitCode::kPreflight);
    }
    record_.event(EventKind::kConfirm, "typed '" + env_->name + "' by " + deployer_);
    return {};
  }

  ExecutionResult ship() {
    // Release dirs and the env file (SFTP, 0600, temp + rename) on every host up front: cheap,
    // not live, and it lets later batches start at once.
    const std::string env_file = render_env_file(env_report_);
    std::vector<std::string> errors(plan_.hosts.size());
    created_.assign(plan_.hosts.size(), 0);
    for_each_host_parallel(plan_.hosts.size(), [&](std::size_t i) {
      RemoteHost& h = *fleet_.hosts[i];
      if (auto s = prepare_release_dir(h, plan_.hosts[i].root, release_id_); !s) {
        errors[i] = s.error().message;
        return;
      }
      created_[i] = 1;  // only what this run made is ever removed by its clean-up
      // The release's own env file: the live shared/.env is switched to it with `current`, so a
      // failure before the switch leaves the live configuration untouched.
      const std::string env_path = release_env_path(plan_.hosts[i].root, release_id_);
      if (auto w = h.write_file(env_path, env_file, 0600); !w) {
        errors[i] = h.name() + ": writing " + env_path + ": " + w.error().message;
      }
    });
    ExecutionResult result;
    result.hosts.resize(plan_.hosts.size());
    for (std::size_t i = 0; i < errors.size(); ++i) {
      result.hosts[i].host = plan_.hosts[i].host.name;
      if (!errors[i].empty() && result.ok) {
        result.ok = false;
        result.failure = errors[i];
      }
    }
    if (!result.ok) return result;

    Json manifest = {{"release", release_id_},
                     {"app", runbook_.app},
                     {"environment", env_->name},
                     {"commit", commit_.sha},
                     {"ref", args_.ref},
                     {"subject", commit_.subject},
                     {"runbook_hash", runbook_.content_hash},
                     {"deployer", deployer_},
                     {"time", iso8601(app_.clock->wall())}};
    // Names and HMAC fingerprints only: what `golive diff` compares the next release with.
    for (const auto& [key, fields] : manifest_insight_fields(target_side_)) {
      Json& object = manifest[key] = Json::object();
      for (const auto& [name, value] : fields) object[name] = value;
    }
    std::vector<StepContext> contexts(plan_.hosts.size());
    for (std::size_t i = 0; i < plan_.hosts.size(); ++i) {
      StepContext& c = contexts[i];
      c.host = fleet_.hosts[i].get();
      c.local = app_.local.get();
      c.host_plan = &plan_.hosts[i];
      c.release_id = release_id_;
      c.artifact_dir = artifact_dir_;
      c.archive = archive_;
      c.shared = plan_.shared;
      c.manifest_json = app_.redactor.redact(manifest.dump(2));
      c.local_env = env_values_;
      c.local_cwd = build_dir_;
      c.on_output = rep_.stream_for(plan_.hosts[i].host.name);
      c.on_upload_progress = rep_.upload_progress_for(plan_.hosts[i].host.name);
      // The delta's base: what the host serves, else the release a rollback would restore.
      c.base_release = previous_[i].empty() ? rollback_target_ : previous_[i];
      c.full_upload = args_.full_upload;
      c.reuse = runbook_.upload.reuse_copy ? ReuseMode::kCopy : ReuseMode::kHardLink;
    }
    // A signal or the end of budget.deploy stops the rollout and kills running commands.
    DeadlineWatch watch(app_.cancel, deadline_);
    for (auto& c : contexts) c.cancel = &watch.stop();
    ExecutionObserver observer = reporting_observer(rep_, record_, Phase::kDeploy);
    // Which batch each host was in, for `golive show`.
    observer.batch_started = [this, print = observer.batch_started](
                                 std::size_t b, std::size_t n, const std::vector<std::string>& h) {
      if (print) print(b, n, h);
      record_.event(EventKind::kBatch, batch_label(plan_, b));
    };
    BatchGate gate = nullptr;
    if (gated_per_batch()) gate = [this](std::size_t b) { return gate_batch(b); };
    ExecutionResult executed = execute_plan(plan_, contexts, observer, watch.stop(), gate);
    if (watch.deadline_passed() && !executed.ok) executed.failure = over_budget_why();
    return executed;
  }

  bool gated_per_batch() const { return gates_each_batch(plan_) && !plan_.checks.empty(); }

  // The gate of one batch (its hosts' checks and the host-less ones), within budget.deploy. The
  // ledger gets its verdict as a `batch_gate` event; "" lets the rollout go on.
  std::string gate_batch(std::size_t b) {
    const std::string label = batch_label(plan_, b);
    GateSpec gate = runbook_.gate;
    gate.window = std::min(gate_window_for_batch(plan_, b),
                           std::chrono::duration_cast<Millis>(deadline_ - SteadyClock::now()));
    if (gate.window <= Millis(0)) return over_budget_why();
    if (plan_.batches.size() > 1) rep_.info("gate for " + label);
    GateVerdict v = run_and_record_gate(app_, gate, checks_for_batch(plan_, b), fleet_.by_name,
                                        record_.ledger(), plan_.release_id, Phase::kGate);
    junit_.add(app_, plan_.batches.size() > 1 ? "golive gate (" + label + ")" : "golive gate", v);
    const bool interrupted_now = v.interrupted || interrupted();
    record_.event(EventKind::kBatchGate, label + ": " +
                                             (interrupted_now ? "interrupted"
                                              : v.passed      ? "passed"
                                                              : "failed") +
                                             " after " + std::to_string(v.duration.count()) +
                                             " ms");
    if (interrupted_now) return interrupted_why("during the gate of " + label);
    if (!v.passed) {
      // One batch is the whole fleet: the same words as an ungated rollout's failure.
      const std::string which = plan_.batches.size() > 1 ? " (" + label + ")" : "";
      return "gate failed" + which + ": " + gate_failure_summary(v);
    }
    return "";
  }

  std::string over_budget_why() const {
    return "the deploy exceeded its budget of " + format_duration(runbook_.budget.deploy) +
           " (budget.deploy)";
  }

  int roll_back(const ExecutionResult& execution, const std::string& why) {
    auto failed_at = SteadyClock::now();
    bool interrupted = app_.cancel && app_.cancel->load();
    if (interrupted && execution.any_switched() &&
        !confirm(app_, "Interrupted after hosts switched. Roll back to the last good release?",
                 true)) {
      rep_.error("not rolling back at your request: hosts may serve " + release_id_);
      return finish(interrupted ? ReleaseStatus::kInterrupted : ReleaseStatus::kFailed,
                    ExitCode::kRollbackFailed, why, -1);
    }
    rep_.error(why);
    rep_.phase("rollback");
    auto deadline = failed_at + runbook_.budget.rollback;
    // A host's session may have dropped after the switch: rollback commands reconnect.
    reconnect_for_rollback(app_, runbook_, *env_, fleet_);
    // The wrappers own the old sessions and may replace them: the ending and the lock must go
    // through the wrappers, never keep pointers to a session a reconnect destroys.
    lock_.moved_to(*fleet_.hosts[0]);
    ending_.set_scope(ending_scope());
    std::vector<RemoteHost*> remotes;
    for (auto& h : fleet_.hosts) remotes.push_back(h.get());
    RollbackRequest request = rollback_for_deploy(plan_, execution, remotes, previous_,
                                                  rollback_target_, created_, deadline);
    rep_.info(restores_any(request)
                  ? "rolling back to " + rollback_target_ +
                        " (the newest release recorded good) on every host not serving it"
                  : "rolling back: no host switched; cleaning up " + release_id_);
    record_.event(EventKind::kRollbackStarted,
                  why + (restores_any(request) ? "; target " + rollback_target_ : ""));
    crash_point("rollback-start");
    RollbackResult rb =
        run_rollback(request, rep_, reporting_observer(rep_, record_, Phase::kRollback));
    crash_point("after-rollback-restore");
    auto restored_at = SteadyClock::now();
    long long restore_ms = std::chrono::duration_cast<Millis>(restored_at - failed_at).count();
    if (!rb.ok) {
      std::string msg = rb.over_budget
                            ? "rollback exceeded its budget of " +
                                  format_duration(runbook_.budget.rollback) + ": " + rb.failure
                            : "rollback failed: " + rb.failure;
      return finish(ReleaseStatus::kRollbackFailed, ExitCode::kRollbackFailed, why + "; " + msg,
                    -1);
    }
    // Verify the restore with the same checks (shorter window, inside the budget) when any
    // host switched; otherwise nothing customer-visible changed.
    if (restores_any(request) && !plan_.checks.empty()) {
      GateSpec verify = runbook_.gate;
      Millis left = std::chrono::duration_cast<Millis>(deadline - SteadyClock::now());
      verify.window = std::min(verify.window, left);
      if (verify.window <= Millis(0)) {
        return finish(ReleaseStatus::kRollbackFailed, ExitCode::kRollbackFailed,
                      why + "; rollback exceeded its budget of " +
                          format_duration(runbook_.budget.rollback) + " before verification",
                      -1);
      }
      GateVerdict v = run_and_record_gate(app_, verify, restored_checks(request), fleet_.by_name,
                                          record_.ledger(), release_id_, Phase::kVerify);
      junit_.add(app_, "golive verify", v);
      if (!v.passed) {
        return finish(ReleaseStatus::kRollbackFailed, ExitCode::kRollbackFailed,
                      why + "; the restored release fails its checks: " + gate_failure_summary(v),
                      -1);
      }
    }
    long long verified_ms =
        std::chrono::duration_cast<Millis>(SteadyClock::now() - failed_at).count();
    rep_.info((restores_any(request) ? "restored " + rollback_target_ + " in " : "cleaned up in ") +
              std::to_string(restore_ms) + " ms (verified after " + std::to_string(verified_ms) +
              " ms)");
    record_.event(EventKind::kRollbackFinished,
                  "restored in " + std::to_string(restore_ms) + " ms");
    if (!execution.any_switched()) {
      return finish(ReleaseStatus::kFailed, ExitCode::kRolledBack, why, -1);
    }
    return finish(interrupted ? ReleaseStatus::kInterrupted : ReleaseStatus::kRolledBack,
                  ExitCode::kRolledBack, why, verified_ms);
  }

  // The checks that verify a restore, rendered with the restored release's own env values: the
  // old release runs with its old configuration, so a rotated password must not fail it.
  std::vector<RenderedCheck> restored_checks(const RollbackRequest& request) {
    std::size_t i = 0;
    while (i < request.hosts.size() && !request.hosts[i].switched) ++i;
    if (i == request.hosts.size()) return plan_.checks;
    const std::string& restored = request.hosts[i].restore_to;
    auto text = fleet_.hosts[i]->read_file(release_env_path(plan_.hosts[i].root, restored));
    if (!text) return plan_.checks;  // shipped before env files were versioned
    auto parsed = parse_dotenv(*text, "env file of " + restored, {});
    if (!parsed) return plan_.checks;
    EnvReport restored_env = env_report_;
    std::map<std::string, std::string> values = env_values_;
    for (const auto& e : parsed->entries) {
      values[e.key] = e.value;
      restored_env.values[e.key].value = e.value;
    }
    add_secrets(restored_env, app_.redactor);
    auto plan = make_plan(runbook_, env_->name, restored, values);
    return plan ? plan->checks : plan_.checks;
  }

  int finish_succeeded() {
    std::vector<std::string> errors(plan_.hosts.size());
    for_each_host_parallel(plan_.hosts.size(), [&](std::size_t i) {
      auto s = mark_release(*fleet_.hosts[i], plan_.hosts[i].root, release_id_, true);
      if (!s) errors[i] = s.error().message;
      auto pruned = prune_releases(*fleet_.hosts[i], plan_.hosts[i].root, plan_.keep);
      if (!pruned) errors[i] = pruned.error().message;
    });
    for (const auto& e : errors) {
      if (!e.empty()) rep_.warn(e);
    }
    return finish(ReleaseStatus::kSucceeded, ExitCode::kOk, "", -1);
  }

  // Where this deploy's ending writes: every host of the plan, the runbook's notify targets.
  EndingScope ending_scope() {
    EndingScope scope{{}, {}, &runbook_.notify, &env_->vars, &env_values_};
    for (std::size_t i = 0; i < plan_.hosts.size(); ++i) {
      scope.hosts.push_back(fleet_.hosts[i].get());
      scope.roots.push_back(plan_.hosts[i].root);
    }
    return scope;
  }

  // Every way out of a deploy that reached the hosts ends here (through the shared ending).
  int finish(ReleaseStatus status, ExitCode code, const std::string& why,
             long long time_to_restore_ms) {
    ReleaseOutcome outcome = outcome_of(status, code, why);
    outcome.time_to_restore_ms = time_to_restore_ms;
    // A rollback that failed or ran over budget ended too: the record says how.
    if (status == ReleaseStatus::kRollbackFailed) {
      outcome.closing_event = {EventKind::kRollbackFinished, "FAILED: " + why};
    }
    outcome.host_log = {{"event", "deploy"},
                        {"id", release_id_},
                        {"commit", commit_.sha},
                        {"who", deployer_},
                        {"outcome", str(status)}};
    NotifyEvent event{str(status), runbook_.app, env_->name, release_id_,       commit_.sha,
                      deployer_,   "",           why,        time_to_restore_ms};
    if (status != ReleaseStatus::kSucceeded) event.what_failed = why.substr(0, why.find(';'));
    // An interrupted deploy that was rolled back and verified is, to on-call, a rollback.
    if (status == ReleaseStatus::kInterrupted) {
      event.event =
          str(code == ExitCode::kRolledBack ? ReleaseStatus::kRolledBack : ReleaseStatus::kFailed);
    }
    outcome.notifications.push_back(event);
    return ending_.end(outcome);
  }

  // A deploy stopped before any host changed: recorded (when the record was opened), the lock
  // released, the outcome printed; no host log, no notification.
  int finish_blocked(const Error& error) {
    rep_.error(error.message);
    const ReleaseStatus status =
        error.exit == ExitCode::kInfra ? ReleaseStatus::kFailed : ReleaseStatus::kBlocked;
    ReleaseOutcome outcome = outcome_of(status, error.exit, error.message);
    outcome.closing_event = {EventKind::kBlocked, app_.redactor.redact(error.message)};
    return ending_.end(outcome);
  }

  // What every deploy ending prints: the summary line, the CI report, the --json result.
  ReleaseOutcome outcome_of(ReleaseStatus status, ExitCode code, const std::string& why) {
    ReleaseOutcome o;
    o.status = status;
    o.code = code;
    o.summary = "deploy " + (release_id_.empty() ? std::string("") : release_id_ + " ") +
                str(status) + " (exit " + std::to_string(static_cast<int>(code)) + ")";
    if (!why.empty() && status != ReleaseStatus::kSucceeded) o.summary += ": " + why;
    o.ci = ci_ending(status, code, why);
    o.result = {{"release", release_id_}, {"environment", args_.environment},
                {"status", str(status)},  {"exit_code", static_cast<int>(code)},
                {"commit", commit_.sha},  {"deployer", deployer_},
                {"reason", why}};
    return o;
  }

  DeployEnding ci_ending(ReleaseStatus status, ExitCode code, const std::string& why) const {
    DeployEnding e{release_id_, args_.environment, status,          static_cast<int>(code),
                   why,         commit_.sha,       commit_.subject, deployer_,
                   {},          previous_,         rollback_target_};
    for (const auto& h : plan_.hosts) e.hosts.push_back(h.host.name);
    return e;
  }

  AppContext& app_;
  const DeployArgs& args_;
  Reporter& rep_;
  Runbook runbook_;
  SteadyClock::time_point deadline_ = SteadyClock::time_point::max();  // start + budget.deploy
  const Environment* env_ = nullptr;
  EnvReport env_report_;
  std::map<std::string, std::string> env_values_;
  std::unique_ptr<GitRepo> repo_;
  CommitInfo commit_;
  std::string release_id_;
  std::string deployer_;
  Plan plan_;
  ReleaseRecorder record_;
  std::string export_dir_, build_dir_, artifact_dir_;
  std::shared_ptr<const UploadArchive> archive_;
  ConnectedFleet fleet_;
  std::vector<std::string> previous_;  // what each host served before the deploy
  std::string rollback_target_;        // the newest good release, the same on every host
  std::vector<char> created_;          // created_[i]: this run made releases/<id> on host i
  ReleaseSide target_side_;
  ReleaseDiff changes_;  // live vs this release, shown by the confirmation
  std::string lock_root_;
  HeldLock lock_;
  ReleaseEnding ending_{app_, record_, lock_};  // after record_ and lock_, which it uses
  JunitReport junit_{args_.junit};
};

}  // namespace

int cmd_deploy(AppContext& app, const DeployArgs& args) {
  return Deploy(app, args).run();
}

}  // namespace golive
