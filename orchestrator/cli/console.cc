#include "orchestrator/cli/console.h"

#include <unistd.h>

#include <filesystem>

#include "golive_build_info.h"  // generated at build time: GOLIVE_GIT_COMMIT
#include "orchestrator/release/identity.h"

namespace golive {
namespace {

bool set_and_not_empty(const AppContext& app, const char* key) {
  auto it = app.process_env.find(key);
  return it != app.process_env.end() && !it->second.empty();
}

constexpr const char* kBashCompletion = R"BASH(# bash completion for golive (golive completion bash)
_golive() {
  local cur prev cmd="" sub="" i
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  local commands="init validate plan check deploy rollback smoke releases history show ledger lock hosts completion"
  local global="-f --file --ledger --json --quiet --verbose --no-color --yes --ledger-optional --help --version"
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "${COMP_WORDS[i]}" in
      -f|--file|--ledger|--ref|--reason|--junit|--to|--limit|--since|--template|--hosts) ((i++)) ;;
      -*) ;;
      *) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; elif [[ -z $sub ]]; then sub=${COMP_WORDS[i]}; fi ;;
    esac
  done
  case "$prev" in
    -f|--file|--junit|--ledger) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --template) COMPREPLY=($(compgen -W "web static" -- "$cur")); return ;;
    --ref|--reason|--to|--limit|--since|--hosts) return ;;
  esac
  if [[ -z $cmd ]]; then
    COMPREPLY=($(compgen -W "$commands $global" -- "$cur"))
    return
  fi
  # Environment names: the keys under `environments:` in the runbook.
  local file=golive.yml envs="" opts=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    [[ ${COMP_WORDS[i]} == -f || ${COMP_WORDS[i]} == --file ]] && file=${COMP_WORDS[i+1]}
  done
  [[ -r $file ]] && envs=$(awk '/^environments:/ {e = 1; next} /^[^ #]/ {e = 0}
    e && /^  [A-Za-z0-9_.-]+:/ {sub(/^  /, ""); sub(/:.*/, ""); print}' "$file" 2>/dev/null)
  case "$cmd" in
    init) opts="--template" envs="" ;;
    validate) envs="" ;;
    deploy) opts="--ref --reason --junit --allow-dirty --full-upload" ;;
    rollback) opts="--to --reason --force" ;;
    smoke) opts="--junit" ;;
    history) opts="--limit --since" ;;
    show) envs="" ;;
    ledger) if [[ -z $sub ]]; then opts="verify sync" envs=""; elif [[ $sub == verify ]]; then opts="--hosts" envs=""; fi ;;
    lock) if [[ -z $sub ]]; then opts="status release" envs=""; elif [[ $sub == release ]]; then opts="--reason"; fi ;;
    hosts) if [[ -z $sub ]]; then opts="trust" envs=""; fi ;;
    completion) opts="bash zsh" envs="" ;;
  esac
  COMPREPLY=($(compgen -W "$opts $envs $global" -- "$cur"))
}
complete -F _golive golive
)BASH";

constexpr const char* kZshCompletion = R"ZSH(#compdef golive
# zsh completion for golive (golive completion zsh)
_golive_environments() {
  local file=golive.yml
  (( ${words[(I)(-f|--file)]} )) && file=${words[${words[(I)(-f|--file)]}+1]}
  [[ -r $file ]] || return
  local -a envs
  envs=(${(f)"$(awk '/^environments:/ {e = 1; next} /^[^ #]/ {e = 0}
    e && /^  [A-Za-z0-9_.-]+:/ {sub(/^  /, ""); sub(/:.*/, ""); print}' $file 2>/dev/null)"})
  _describe 'environment' envs
}
_golive() {
  local curcontext=$curcontext state line
  local -a commands
  commands=(
    'init:scaffold golive.yml and .env.example'
    'validate:schema + semantic checks, every error'
    'plan:what would run where; touches nothing'
    'check:preflight: env, secrets, SSH + host keys, lock'
    'deploy:validate, build, ship, gate, record; auto-rollback'
    'rollback:roll back to the previous (or given) release'
    'smoke:run the checks against what is live now'
    'releases:what each host has, read from the hosts'
    'history:releases from the ledger, newest first'
    'show:one release: steps, checks, outputs, timings'
    'ledger:the ledger'"'"'s integrity (verify, sync)'
    'lock:the remote deploy lock (status, release)'
    'hosts:host keys (trust)'
    'completion:print the bash or zsh completion script'
  )
  _arguments -C \
    '(-f --file)'{-f,--file}'[runbook file]:file:_files' \
    '--ledger[ledger file]:file:_files' \
    '--json[machine-readable output on stdout]' \
    '--quiet[only warnings, errors and the outcome]' \
    '--verbose[more detail]' \
    '--no-color[no colors]' \
    '--yes[no prompts]' \
    '--ledger-optional[deploy even if the ledger cannot be opened]' \
    '--version[version and build commit]' \
    '1:command:->command' \
    '*::argument:->argument'
  case $state in
    command) _describe 'command' commands ;;
    argument)
      case $words[1] in
        plan|check|releases) _arguments '1:environment:_golive_environments' ;;
        deploy) _arguments '1:environment:_golive_environments' '--ref[git ref]:ref:' \
                  '--reason[why]:reason:' '--junit[JUnit XML file]:file:_files' \
                  '--allow-dirty[deploy despite uncommitted changes]' \
                  '--full-upload[send the whole artifact, no delta]' ;;
        rollback) _arguments '1:environment:_golive_environments' '--to[release id]:id:' \
                    '--reason[why]:reason:' '--force[break a stale lock]' ;;
        smoke) _arguments '1:environment:_golive_environments' '--junit[JUnit XML file]:file:_files' ;;
        history) _arguments '1:environment:_golive_environments' '--limit[how many]:n:' \
                   '--since[YYYY-MM-DD]:date:' ;;
        init) _arguments '--template[template]:template:(web static)' '1:dir:_files -/' ;;
        ledger) _arguments '1:subcommand:(verify sync)' '2:environment:_golive_environments' ;;
        lock) _arguments '1:subcommand:(status release)' '2:environment:_golive_environments' ;;
        hosts) _arguments '1:subcommand:(trust)' '2:environment:_golive_environments' ;;
        completion) _arguments '1:shell:(bash zsh)' ;;
      esac ;;
  esac
}
_golive "$@"
)ZSH";

}  // namespace

void install_console(AppContext& app, bool no_color, bool writes) {
  const auto& env = app.process_env;
  const bool ci = running_in_ci(env);
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  auto term = env.find("TERM");
  const bool dumb = term == env.end() || term->second.empty() || term->second == "dumb";
  // https://no-color.org: any non-empty NO_COLOR turns colors off.
  app.options.color = !no_color && tty && !dumb && !set_and_not_empty(app, "NO_COLOR");
  app.ci = std::make_unique<CiOutput>(env, app.redactor, app.options.json);
  ReporterOptions ro;
  ro.quiet = app.options.quiet;
  ro.verbose = app.options.verbose;
  ro.color = app.options.color;
  // The live view needs a terminal that understands cursor movement; CI logs get plain lines.
  ro.live = tty && !dumb && !ci && !app.options.quiet;
  ro.ci = app.ci.get();
  // Every line golive prints is also kept, redacted, in .golive/golive.log beside the runbook,
  // for commands that change something (read-only ones write nothing into the repository).
  std::filesystem::path file(app.options.file);
  if (writes && std::filesystem::exists(file)) {
    ro.log_file = (file.parent_path() / ".golive" / "golive.log").string();
  }
  app.reporter = std::make_unique<Reporter>(app.redactor, ro);
}

std::string version_text() {
  return std::string("golive ") + GOLIVE_VERSION + " (commit " + GOLIVE_GIT_COMMIT + ")";
}

std::string completion_script(const std::string& shell) {
  if (shell == "bash") return kBashCompletion;
  if (shell == "zsh") return kZshCompletion;
  return "";
}

}  // namespace golive
