#include "orchestrator/cli/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <filesystem>

#include "golive/env_check.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/ledger/ledger_location.h"
#include "orchestrator/release/deploy.h"
#include "orchestrator/release/identity.h"

namespace golive {
namespace {

std::atomic<bool> g_cancel{false};
std::atomic<int> g_signal{0};

extern "C" void on_signal(int sig) {
  g_signal = sig;
  g_cancel = true;
}

// Every signal whose default action would end golive mid-deploy leads to the interrupted-deploy
// path instead (stop, roll back what switched, record, release the lock). SIGHUP matters most:
// the operator's terminal or the SSH session to a bastion closing. SIGKILL cannot be caught; the
// next command finds that release `running` with a dead writer and records it interrupted.
void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM}) {
    sigaction(sig, &sa, nullptr);
  }
  std::signal(SIGPIPE, SIG_IGN);  // a closed pipe or terminal is an error on write, not death
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"golive: ship a release over SSH, gate it on smoke checks, roll back by itself"};
  app.set_version_flag("--version", std::string("golive ") + GOLIVE_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(
      "Exit codes: 0 success; 1 deploy failed, last good release restored and verified (smoke: a "
      "check failed); 2 usage or runbook error; 3 preflight blocked (nothing touched); 4 rollback "
      "failed or over budget: a human must act; 5 hosts unreachable before any change.");  // global
                                                                                           // flags
                                                                                           // work
                                                                                           // after
                                                                                           // the
                                                                                           // subcommand
                                                                                           // too:
                                                                                           // `golive
                                                                                           // deploy
                                                                                           // prod
                                                                                           // --json`
  GlobalOptions g;
  bool no_color = false;
  app.add_option("-f,--file", g.file, "runbook file")->capture_default_str();
  app.add_option("--ledger", g.ledger,
                 "ledger: a file, or a postgresql:// URL of a shared server (default: the "
                 "runbook's ledger: key, else .golive/ledger.db beside the runbook)");
  app.add_flag("--json", g.json, "machine-readable output on stdout");
  app.add_flag("--quiet", g.quiet, "only warnings, errors and the outcome");
  app.add_flag("--verbose", g.verbose, "more detail");
  app.add_flag("--no-color", no_color, "no colors");
  app.add_flag("--yes", g.yes, "no prompts (implied when CI=true)");
  app.add_flag("--ledger-optional", g.ledger_optional,
               "deploy even if the ledger cannot be opened (loudly, unrecorded)");

  std::string env_name, tmpl = "web", dir = ".", ref = "HEAD", reason, to, junit, since, id,
                        hosts_env;
  int limit = 20;
  bool allow_dirty = false, force = false;

  auto* init = app.add_subcommand("init", "scaffold golive.yml and .env.example");
  init->add_option("--template", tmpl, "template: web, static")->capture_default_str();
  init->add_option("dir", dir, "where to write")->capture_default_str();
  auto* validate = app.add_subcommand("validate", "schema + semantic checks, every error");
  auto* plan = app.add_subcommand("plan", "what would run where; touches nothing");
  plan->add_option("ENV", env_name, "environment")->required();
  auto* check = app.add_subcommand("check", "preflight: env, secrets, SSH + host keys, lock");
  check->add_option("ENV", env_name, "environment")->required();
  auto* deploy = app.add_subcommand("deploy", "validate, build, ship, gate, record; auto-rollback");
  deploy->add_option("ENV", env_name, "environment")->required();
  deploy->add_option("--ref", ref, "git ref to ship")->capture_default_str();
  deploy->add_option("--reason", reason, "why (recorded)");
  deploy->add_option("--junit", junit, "write the gate's checks as JUnit XML");
  deploy->add_flag("--allow-dirty", allow_dirty, "deploy despite uncommitted changes (recorded)");
  auto* rollback = app.add_subcommand("rollback", "roll back to the previous (or given) release");
  rollback->add_option("ENV", env_name, "environment")->required();
  rollback->add_option("--to", to, "release id to restore");
  rollback->add_option("--reason", reason, "why (recorded)")->required();
  rollback->add_flag("--force", force, "break a stale lock; allow a release marked bad");
  auto* smoke = app.add_subcommand("smoke", "run the checks against what is live now");
  smoke->add_option("ENV", env_name, "environment")->required();
  smoke->add_option("--junit", junit, "write JUnit XML");
  auto* releases = app.add_subcommand("releases", "what each host has, read from the hosts");
  releases->add_option("ENV", env_name, "environment")->required();
  auto* history = app.add_subcommand("history", "releases from the ledger, newest first");
  history->add_option("ENV", env_name, "environment");
  history->add_option("--limit", limit, "how many")->capture_default_str();
  history->add_option("--since", since, "only since this date (YYYY-MM-DD)");
  auto* show = app.add_subcommand("show", "one release: steps, checks, outputs, timings");
  show->add_option("ID", id, "release id")->required();
  auto* ledger = app.add_subcommand("ledger", "the ledger's integrity");
  ledger->require_subcommand(1);
  auto* verify = ledger->add_subcommand("verify", "verify the hash chain");
  verify->add_option("--hosts", hosts_env, "also cross-check the hosts of this environment");
  auto* sync = ledger->add_subcommand("sync", "rebuild missing history from the hosts");
  sync->add_option("ENV", env_name, "environment")->required();
  std::string push_to;
  auto* push = ledger->add_subcommand("push", "copy this ledger's history into a shared one");
  push->add_option("--to", push_to, "postgresql:// URL of the shared ledger")->required();
  auto* lock = app.add_subcommand("lock", "the remote deploy lock");
  lock->require_subcommand(1);
  auto* lock_status = lock->add_subcommand("status", "who holds the lock");
  lock_status->add_option("ENV", env_name, "environment")->required();
  auto* lock_release = lock->add_subcommand("release", "break the lock (recorded)");
  lock_release->add_option("ENV", env_name, "environment")->required();
  lock_release->add_option("--reason", reason, "why")->required();
  auto* hosts = app.add_subcommand("hosts", "host keys");
  hosts->require_subcommand(1);
  auto* trust = hosts->add_subcommand("trust", "record host keys after showing them");
  trust->add_option("ENV", env_name, "environment")->required();
  std::vector<std::string> fingerprints;
  trust->add_option("--fingerprint", fingerprints,
                    "SHA256:... a key may have (from the host's owner); required when no person "
                    "confirms (--yes, CI)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : static_cast<int>(ExitCode::kUsage);
  }

  AppContext ctx;
  ctx.process_env = process_environment();
  if (running_in_ci(ctx.process_env)) g.yes = true;
  g.color = !no_color && isatty(STDERR_FILENO) && !ctx.process_env.count("NO_COLOR");
  ctx.options = g;
  // A shared ledger's password is a secret from the first line printed.
  auto env_ledger = ctx.process_env.find("GOLIVE_LEDGER");
  for (const std::string& location :
       {g.ledger, push_to, env_ledger != ctx.process_env.end() ? env_ledger->second : ""}) {
    if (auto password = ledger_url_password(location); !password.empty()) {
      ctx.redactor.add("ledger password", password);
    }
  }
  install_real_adapters(ctx);
  // Every line golive prints is also kept, redacted, in .golive/golive.log beside the runbook.
  std::filesystem::path log_dir = std::filesystem::path(g.file).parent_path() / ".golive";
  ReporterOptions ro{g.quiet, g.verbose, g.color,
                     std::filesystem::exists(std::filesystem::path(g.file))
                         ? (log_dir / "golive.log").string()
                         : ""};
  ctx.reporter = std::make_unique<Reporter>(ctx.redactor, ro);
  install_signal_handlers();
  ctx.cancel = &g_cancel;
  ctx.signal = &g_signal;

  if (*init) return cmd_init(ctx, tmpl, dir);
  if (*validate) return cmd_validate(ctx);
  if (*plan) return cmd_plan(ctx, env_name);
  if (*check) return cmd_check(ctx, env_name);
  if (*deploy) return cmd_deploy(ctx, {env_name, ref, reason, junit, allow_dirty});
  if (*rollback) return cmd_rollback(ctx, {env_name, to, reason, force});
  if (*smoke) return cmd_smoke(ctx, env_name, junit);
  if (*releases) return cmd_releases(ctx, env_name);
  if (*history) return cmd_history(ctx, env_name, limit, since);
  if (*show) return cmd_show(ctx, id);
  if (*verify) return cmd_ledger_verify(ctx, hosts_env);
  if (*sync) return cmd_ledger_sync(ctx, env_name);
  if (*push) return cmd_ledger_push(ctx, push_to);
  if (*lock_status) return cmd_lock_status(ctx, env_name);
  if (*lock_release) return cmd_lock_release(ctx, env_name, reason);
  if (*trust) return cmd_hosts_trust(ctx, env_name, fingerprints);
  return static_cast<int>(ExitCode::kUsage);
}

}  // namespace golive
