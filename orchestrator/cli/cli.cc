#include "orchestrator/cli/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <filesystem>
#include <functional>
#include <utility>
#include <vector>

#include "golive/env_check.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/console.h"
#include "orchestrator/cli/insight_commands.h"
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

// The values every subcommand's options are parsed into.
struct Args {
  GlobalOptions global;
  bool no_color = false;
  std::string env_name, tmpl = "web", dir = ".", ref = "HEAD", reason, to, junit, since, id,
                        hosts_env;
  std::vector<std::string> fingerprints;
  int limit = 20;
  bool allow_dirty = false, force = false, plan_diff = false, full_upload = false;
  std::string shell, insight_ref, insight_since = "90d", html_file, push_to, markdown_file,
                                  out_file;
  std::vector<CLI::App*> writers;  // commands that change something keep a log beside the runbook
};

// The command table: each parsed subcommand and the command function it runs.
using Command = std::function<int(AppContext&)>;
using CommandTable = std::vector<std::pair<CLI::App*, Command>>;

void add_global_options(CLI::App& app, Args& a) {
  GlobalOptions& g = a.global;
  app.add_option("-f,--file", g.file, "runbook file")->capture_default_str();
  app.add_option("--ledger", g.ledger,
                 "ledger: a file, or a postgresql:// URL of a shared server (default: the "
                 "runbook's ledger: key, else .golive/ledger.db beside the runbook)");
  app.add_flag("--json", g.json, "machine-readable output on stdout");
  app.add_flag("--quiet", g.quiet, "only warnings, errors and the outcome");
  app.add_flag("--verbose", g.verbose, "more detail");
  app.add_flag("--no-color", a.no_color, "no colors");
  app.add_flag("--yes", g.yes, "no prompts (implied when CI=true)");
  app.add_flag("--ledger-optional", g.ledger_optional,
               "deploy even if the ledger cannot be opened (loudly, unrecorded)");
}

// init, validate, plan, check: the commands that look before anything is touched.
void add_preflight_commands(CLI::App& app, Args& a, CommandTable& table) {
  auto* init = app.add_subcommand("init", "scaffold golive.yml and .env.example");
  init->add_option("--template", a.tmpl, "template: web, static")->capture_default_str();
  init->add_option("dir", a.dir, "where to write")->capture_default_str();
  table.emplace_back(init, [&a](AppContext& c) { return cmd_init(c, a.tmpl, a.dir); });
  auto* validate = app.add_subcommand("validate", "schema + semantic checks, every error");
  table.emplace_back(validate, [](AppContext& c) { return cmd_validate(c); });
  auto* plan = app.add_subcommand("plan", "what would run where; touches nothing");
  plan->add_option("ENV", a.env_name, "environment")->required();
  plan->add_flag("--diff", a.plan_diff, "also summarize changes against what the hosts serve");
  table.emplace_back(plan, [&a](AppContext& c) {
    int rc = cmd_plan(c, a.env_name);
    return rc == 0 && a.plan_diff && !c.options.json ? cmd_plan_changes(c, a.env_name) : rc;
  });
  auto* check = app.add_subcommand("check", "preflight: env, secrets, SSH + host keys, lock");
  check->add_option("ENV", a.env_name, "environment")->required();
  table.emplace_back(check, [&a](AppContext& c) { return cmd_check(c, a.env_name); });
}

// deploy, rollback, smoke, releases: the commands that act on (or read) what is live.
void add_release_commands(CLI::App& app, Args& a, CommandTable& table) {
  auto* deploy = app.add_subcommand("deploy", "validate, build, ship, gate, record; auto-rollback");
  deploy->add_option("ENV", a.env_name, "environment")->required();
  deploy->add_option("--ref", a.ref, "git ref to ship")->capture_default_str();
  deploy->add_option("--reason", a.reason, "why (recorded)");
  deploy->add_option("--junit", a.junit, "write the gate's checks as JUnit XML");
  deploy->add_flag("--allow-dirty", a.allow_dirty, "deploy despite uncommitted changes (recorded)");
  deploy->add_flag("--full-upload", a.full_upload,
                   "send the whole artifact to every host (no delta against the live release)");
  table.emplace_back(deploy, [&a](AppContext& c) {
    return cmd_deploy(c, {a.env_name, a.ref, a.reason, a.junit, a.allow_dirty, a.full_upload});
  });
  auto* rollback = app.add_subcommand("rollback", "roll back to the previous (or given) release");
  rollback->add_option("ENV", a.env_name, "environment")->required();
  rollback->add_option("--to", a.to, "release id to restore");
  rollback->add_option("--reason", a.reason, "why (recorded)")->required();
  rollback->add_flag("--force", a.force, "break a stale lock; allow a release marked bad");
  table.emplace_back(rollback, [&a](AppContext& c) {
    return cmd_rollback(c, {a.env_name, a.to, a.reason, a.force});
  });
  auto* smoke = app.add_subcommand("smoke", "run the checks against what is live now");
  smoke->add_option("ENV", a.env_name, "environment")->required();
  smoke->add_option("--junit", a.junit, "write JUnit XML");
  table.emplace_back(smoke, [&a](AppContext& c) { return cmd_smoke(c, a.env_name, a.junit); });
  auto* releases = app.add_subcommand("releases", "what each host has, read from the hosts");
  releases->add_option("ENV", a.env_name, "environment")->required();
  table.emplace_back(releases, [&a](AppContext& c) { return cmd_releases(c, a.env_name); });
  a.writers.insert(a.writers.end(), {deploy, rollback, smoke});
}

// history, show, ledger verify|sync: reading the ledger.
void add_ledger_commands(CLI::App& app, Args& a, CommandTable& table) {
  auto* history = app.add_subcommand("history", "releases from the ledger, newest first");
  history->add_option("ENV", a.env_name, "environment");
  history->add_option("--limit", a.limit, "how many")->capture_default_str();
  history->add_option("--since", a.since, "only since this date (YYYY-MM-DD)");
  table.emplace_back(history,
                     [&a](AppContext& c) { return cmd_history(c, a.env_name, a.limit, a.since); });
  auto* show = app.add_subcommand("show", "one release: steps, checks, outputs, timings");
  show->add_option("ID", a.id, "release id")->required();
  table.emplace_back(show, [&a](AppContext& c) { return cmd_show(c, a.id); });
  auto* ledger = app.add_subcommand("ledger", "the ledger's integrity");
  ledger->require_subcommand(1);
  auto* verify = ledger->add_subcommand("verify", "verify the hash chain");
  verify->add_option("--hosts", a.hosts_env, "also cross-check the hosts of this environment");
  table.emplace_back(verify, [&a](AppContext& c) { return cmd_ledger_verify(c, a.hosts_env); });
  auto* sync = ledger->add_subcommand("sync", "rebuild missing history from the hosts");
  sync->add_option("ENV", a.env_name, "environment")->required();
  table.emplace_back(sync, [&a](AppContext& c) { return cmd_ledger_sync(c, a.env_name); });
  auto* push = ledger->add_subcommand("push", "copy this ledger's history into a shared one");
  push->add_option("--to", a.push_to, "postgresql:// URL of the shared ledger")->required();
  table.emplace_back(push, [&a](AppContext& c) { return cmd_ledger_push(c, a.push_to); });
  a.writers.push_back(sync);
}

// diff, stats, report: release insight (cmd_diff.cc, cmd_stats.cc, cmd_report.cc).
void add_insight_commands(CLI::App& app, Args& a, CommandTable& table) {
  auto* diff = app.add_subcommand("diff", "commits, env keys, runbook: live vs a ref");
  diff->add_option("ENV", a.env_name, "environment")->required();
  diff->add_option("REF", a.insight_ref, "git ref (default HEAD)");
  table.emplace_back(diff, [&a](AppContext& c) { return cmd_diff(c, a.env_name, a.insight_ref); });
  auto* stats = app.add_subcommand("stats", "DORA measures from the ledger");
  stats->add_option("ENV", a.env_name, "environment (default: all)");
  stats->add_option("--since", a.insight_since, "window: 90d, 12w or YYYY-MM-DD")
      ->capture_default_str();
  table.emplace_back(stats,
                     [&a](AppContext& c) { return cmd_stats(c, a.env_name, a.insight_since); });
  auto* report = app.add_subcommand("report", "the ledger as one self-contained HTML file");
  report->add_option("ENV", a.env_name, "environment (default: all)");
  report->add_option("--html", a.html_file, "file to write")->required();
  report->add_option("--since", a.insight_since, "window: 90d, 12w or YYYY-MM-DD")
      ->capture_default_str();
  table.emplace_back(report, [&a](AppContext& c) {
    return cmd_report(c, a.env_name, a.insight_since, a.html_file);
  });
}

// audit, handover: launch readiness (cmd_audit.cc, cmd_handover.cc; docs/launch-readiness.md).
void add_launch_commands(CLI::App& app, Args& a, CommandTable& table) {
  auto* audit = app.add_subcommand("audit", "rank the launch risks of a live environment");
  audit->add_option("ENV", a.env_name, "environment")->required();
  audit->add_option("--markdown", a.markdown_file, "also write the risk list as Markdown");
  table.emplace_back(audit,
                     [&a](AppContext& c) { return cmd_audit(c, a.env_name, a.markdown_file); });
  auto* handover = app.add_subcommand("handover", "the document a new owner runs the app from");
  handover->add_option("ENV", a.env_name, "environment")->required();
  handover->add_option("--out", a.out_file, "write Markdown here (default: stdout)");
  handover->add_option("--html", a.html_file, "also write it as one HTML page");
  table.emplace_back(handover, [&a](AppContext& c) {
    return cmd_handover(c, a.env_name, a.out_file, a.html_file);
  });
}

// lock status|release, hosts trust: tending the hosts.
void add_host_commands(CLI::App& app, Args& a, CommandTable& table) {
  auto* lock = app.add_subcommand("lock", "the remote deploy lock");
  lock->require_subcommand(1);
  auto* lock_status = lock->add_subcommand("status", "who holds the lock");
  lock_status->add_option("ENV", a.env_name, "environment")->required();
  table.emplace_back(lock_status, [&a](AppContext& c) { return cmd_lock_status(c, a.env_name); });
  auto* lock_release = lock->add_subcommand("release", "break the lock (recorded)");
  lock_release->add_option("ENV", a.env_name, "environment")->required();
  lock_release->add_option("--reason", a.reason, "why")->required();
  table.emplace_back(lock_release,
                     [&a](AppContext& c) { return cmd_lock_release(c, a.env_name, a.reason); });
  auto* hosts = app.add_subcommand("hosts", "host keys");
  hosts->require_subcommand(1);
  auto* trust = hosts->add_subcommand("trust", "record host keys after showing them");
  trust->add_option("ENV", a.env_name, "environment")->required();
  trust->add_option("--fingerprint", a.fingerprints,
                    "SHA256:... a key may have (from the host's owner); required when no person "
                    "confirms (--yes, CI)");
  table.emplace_back(
      trust, [&a](AppContext& c) { return cmd_hosts_trust(c, a.env_name, a.fingerprints); });
  a.writers.insert(a.writers.end(), {lock_release, trust});
  auto* completion = app.add_subcommand("completion", "print the bash or zsh completion script");
  completion->add_option("SHELL", a.shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  table.emplace_back(completion, [&a](AppContext&) {
    std::fputs(completion_script(a.shell).c_str(), stdout);
    return 0;
  });
}

// The context a command runs with: options, environment, real adapters, the console (terminal,
// CI output and, for commands that change something, the redacted .golive/golive.log), signals.
void make_context(AppContext& ctx, Args& a) {
  GlobalOptions& g = a.global;
  ctx.process_env = process_environment();
  if (running_in_ci(ctx.process_env)) g.yes = true;
  ctx.options = g;
  // A shared ledger's password is a secret from the first line printed.
  auto env_ledger = ctx.process_env.find("GOLIVE_LEDGER");
  for (const std::string& location :
       {g.ledger, a.push_to, env_ledger != ctx.process_env.end() ? env_ledger->second : ""}) {
    if (auto password = ledger_url_password(location); !password.empty()) {
      ctx.redactor.add("ledger password", password);
    }
  }
  install_real_adapters(ctx);
  bool writes = false;
  for (const CLI::App* command : a.writers) writes = writes || command->parsed();
  install_console(ctx, a.no_color, writes);
  install_signal_handlers();
  ctx.cancel = &g_cancel;
  ctx.signal = &g_signal;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"golive: ship a release over SSH, gate it on smoke checks, roll back by itself",
               "golive"};
  app.set_version_flag("--version", version_text());
  app.require_subcommand(1);
  // Global flags work after the subcommand too: `golive deploy prod --json`.
  app.fallthrough();
  app.footer(
      "Exit codes: 0 success; 1 deploy failed, last good release restored and verified (smoke: a "
      "check failed); 2 usage or runbook error; 3 preflight blocked (nothing touched); 4 rollback "
      "failed or over budget: a human must act; 5 hosts unreachable before any change. audit: 0 "
      "nothing critical or high, 3 otherwise.");
  Args args;
  CommandTable table;
  add_global_options(app, args);
  add_preflight_commands(app, args, table);
  add_release_commands(app, args, table);
  add_ledger_commands(app, args, table);
  add_host_commands(app, args, table);
  add_insight_commands(app, args, table);
  add_launch_commands(app, args, table);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : static_cast<int>(ExitCode::kUsage);
  }
  AppContext ctx;
  make_context(ctx, args);
  for (const auto& [command, run] : table) {
    if (*command) return run(ctx);
  }
  return static_cast<int>(ExitCode::kUsage);
}

}  // namespace golive
