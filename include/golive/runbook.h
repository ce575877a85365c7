// The runbook (golive.yml, schema version 1) as typed data. Strings that may hold `{{ ... }}`
// references are kept as written (templates) and rendered by the planner for each host.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "golive/duration.h"
#include "golive/launch.h"

namespace golive {

// Highest runbook schema version this binary understands.
inline constexpr int kRunbookSchemaVersion = 1;

// Where a value was written, for error messages (1-based; 0 when unknown).
struct SourcePos {
  int line = 0;
  int col = 0;
};

struct Host {
  std::string name;
  std::string address;  // host name, IP, or an alias resolved through ~/.ssh/config
  std::string user;     // empty: from ~/.ssh/config or the local user
  int port = 0;         // 0: from ~/.ssh/config or 22
  std::string identity_file;
  // Bastion this host is reached through, `[user@]host[:port]` (its own `jump`, else the
  // environment's); `none`: direct even if the ssh config has a ProxyJump; empty: the ssh config
  // decides.
  std::string jump;
  SourcePos pos;
};

// Rolling strategy: hosts split into batches; a batch finishes before the next starts.
struct Strategy {
  int parallel = 10;        // hosts of a batch worked on at once
  int batch_size = 0;       // hosts per batch; 0 means use batch_percent
  int batch_percent = 100;  // share of the fleet per batch when batch_size is 0
  int max_fail = 0;         // host failures tolerated before the rollout stops
  int canary = 0;           // hosts in the canary batch (first, gated alone); 0: no canary
  int canary_percent = 0;   // share of the fleet for the canary when canary is 0
  // The gate runs after every batch (a failure stops the rollout before the next batch); false:
  // once, after the last batch (the pre-0.13 behaviour).
  bool gate_each_batch = true;
  std::optional<Millis> canary_window;  // canary_gate.window; unset: gate.window
};

// Where `environments.<name>.env_from[]` takes values from (docs/env-and-secrets.md).
enum class EnvSourceKind { kFile, kAge, kCommand, kValues, kOnePassword, kVault, kAwsSecrets };

// One entry of `env_from`; later entries override earlier ones.
struct EnvSource {
  EnvSourceKind kind = EnvSourceKind::kFile;
  std::string path;      // file/age: dotenv file (runbook-relative); vault: the KV path
  std::string identity;  // age: identity file (GOLIVE_AGE_IDENTITY overrides it)
  std::string command;   // command: its stdout is a dotenv
  std::vector<std::pair<std::string, std::string>> values;  // values: NAME -> command
  std::string vault;                                        // onepassword
  std::string item;                                         // onepassword
  std::string secret_id;                                    // aws_secrets_manager
  Millis timeout{std::chrono::seconds(30)};  // per command; the process group is killed after it
  SourcePos pos;
};

struct Environment {
  std::string name;
  std::vector<Host> hosts;
  std::string env_file;             // dotenv file, relative to the runbook's directory
  std::vector<EnvSource> env_from;  // ordered; override env_file, overridden by the process env
  std::string known_hosts;          // extra known_hosts file for this environment (optional)
  std::string jump;  // `environments.<name>.jump`: every host's bastion unless it sets its own
  Strategy strategy;
  std::map<std::string, std::string> vars;
  LaunchSpec launch;  // `environments.<name>.launch`: overrides the top-level launch keys it sets
  // `confirm: true`: `deploy` on a terminal shows what will ship and wants the environment's
  // name typed; --yes or CI=true skip it (recorded).
  bool confirm = false;
  SourcePos pos;
};

// One environment-variable requirement (`env.required[]`).
struct EnvRequirement {
  std::string name;
  std::string pattern;  // RE2 syntax; empty: none
  std::string type;     // url|email|port|int|bool|hostname; empty: none
  std::vector<std::string> one_of;
  int min_length = 0;
  bool secret = false;
  std::string distinct_from;  // environment whose value must differ (e.g. "staging")
  // Secret inventory (launch readiness): who owns it, what it grants, when it was last rotated
  // (YYYY-MM-DD) and where it is kept. Empty: not declared.
  std::string owner;
  std::string scope;
  std::string rotated;
  std::string stored_in;
  SourcePos pos;
};

struct EnvSpec {
  std::string example;  // .env.example: every key in it is required
  std::vector<EnvRequirement> required;
  std::vector<std::string> secret_names;  // extra names treated as secrets
  std::vector<std::string> public_names;  // env.public and `secret: false`: never secrets
};

struct ReleaseSpec {
  std::string path;                 // deploy root on each host
  int keep = 5;                     // releases kept; current and last good never pruned
  std::vector<std::string> shared;  // paths linked from shared/ into every release
};

enum class StepKind { kRun, kUpload, kSwitch, kLocal };

struct Step {
  std::string name;
  StepKind kind = StepKind::kRun;
  std::string command;  // run/local: the command template; upload: the source ("artifact")
  std::string undo;     // command template run on rollback; empty: none
  bool once = false;    // run: only on the first host of the environment
  Millis timeout{0};    // 0: the default for the kind
  std::map<std::string, std::string> env;
  SourcePos pos;
};

// `upload:` how the artifact travels to the hosts (docs/runbook-format.md).
struct UploadSpec {
  std::string compress = "auto";  // auto|zstd|none: zstd on the wire (auto: not on loopback)
  // `reuse: copy`: unchanged files are copied from the live release instead of hard-linked
  // (for an app that modifies files in its release dir in place).
  bool reuse_copy = false;
  SourcePos pos;
};

struct Budget {
  Millis rollback = std::chrono::minutes(10);
  Millis deploy = std::chrono::minutes(30);
};

struct GateSpec {
  Millis window = std::chrono::minutes(2);
  Millis interval = std::chrono::seconds(5);
  int consecutive = 2;
  Millis timeout = std::chrono::seconds(10);  // per check attempt
  // A check whose last `fail_after` attempts were all wrong answers (not transport errors) fails
  // the gate at once instead of waiting out the window; 0: never early.
  int fail_after = 3;
};

struct HttpCheck {
  std::string method = "GET";
  std::string url;
  std::map<std::string, std::string> headers;
  std::string body;
  std::map<std::string, std::string> form;
  std::string json;  // raw JSON body
  bool follow = false;
  std::vector<int> status{200};
  std::map<std::string, std::string> header_match;  // header -> RE2 that must match
  std::vector<std::string> header_absent;
  std::string body_contains;
  std::string body_regex;
  std::optional<Millis> max_latency;
  std::string session;  // reuse the cookies of this login check
  std::string ca_file;
  bool insecure = false;
};

struct LoginCheck {
  std::string url;
  std::string user;
  std::string password;
  std::string user_field = "username";
  std::string password_field = "password";
  std::string then;  // protected page fetched with, then without, the session
  std::string ca_file;
  std::string cookie;  // name of the session cookie; empty: every cookie the login sets
};

struct PrivateCacheCheck {
  std::string url;
  std::string session;
  std::vector<std::string> static_urls;  // must be cacheable (long max-age)
  Millis static_min_max_age = std::chrono::hours(24);
  std::string ca_file;
};

struct EmailCheck {
  std::string smtp;  // smtp://host:port or smtps://
  std::string to;
  std::string from = "golive@localhost";
  std::string user;
  std::string password;
  bool starttls = true;
  std::string trigger_url;  // app's own "send test email" endpoint instead of SMTP
  std::string ca_file;
  std::string session;  // login check whose cookies authenticate the trigger_url POST
};

struct CommandCheck {
  std::string run;
  bool local = false;
  int exit = 0;
  std::string output_regex;
};

struct TlsCheck {
  std::string url;  // https://host[:port]
  std::string ca_file;
  int min_days = 14;
};

// `prometheus`: an instant PromQL query against the Prometheus HTTP API; every series it returns
// must satisfy the bound (success `result OP NUMBER` and/or min/max), held for `hold` (`for:`).
struct PrometheusCheck {
  std::string url;      // Prometheus base URL, http(s)://host:9090
  std::string query;    // PromQL; {{ host.* }} makes it one check per host
  std::string success;  // as written ("result >= 0.99"), for messages; empty: none
  std::string op;       // <, <=, >, >=, ==, != of `success`; empty: none
  double threshold = 0;
  std::optional<double> min;
  std::optional<double> max;
  Millis hold{0};  // `for:` the bound must hold this long in a row before the attempt passes
  std::string ca_file;
};

using CheckSpec = std::variant<HttpCheck, LoginCheck, PrivateCacheCheck, EmailCheck, CommandCheck,
                               TlsCheck, AccessCheck, PrometheusCheck>;

struct Check {
  std::string name;
  CheckSpec spec;
  SourcePos pos;
};

struct Notify {
  std::string webhook;          // template
  std::string command;          // local command template
  std::vector<std::string> on;  // succeeded|failed|rolled_back|rollback_failed|lock_broken
  SourcePos pos;
};

struct Runbook {
  std::string file;          // path it was loaded from
  std::string dir;           // directory of that file
  std::string content_hash;  // SHA-256 of the file's bytes
  int version = kRunbookSchemaVersion;
  std::string app;
  Budget budget;
  std::vector<Environment> environments;
  EnvSpec env;
  ReleaseSpec release;
  std::vector<Step> build;  // local steps run in a clean export of the commit
  std::string artifact;     // directory produced by build, relative to the export
  // `ledger:` a postgresql:// URL (no password: PGPASSWORD or ~/.pgpass) or a file path
  // relative to the runbook; empty: .golive/ledger.db. --ledger and GOLIVE_LEDGER override it.
  std::string ledger;
  std::vector<Step> steps;
  std::vector<Step> rollback;
  GateSpec gate;
  std::vector<Check> checks;
  std::vector<Notify> notify;
  LaunchSpec launch;  // `launch:` (launch readiness); per-environment keys override it

  // The launch section for `environment`: the top-level one with the environment's keys laid over
  // it.
  LaunchSpec launch_for(const Environment& environment) const;
  UploadSpec upload;

  // The environment called `name`, or nullptr.
  const Environment* find_environment(const std::string& name) const;
};

}  // namespace golive
