#include "tests/harness/scenario.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "golive/shell_quote.h"
#include "tests/harness/python_server.h"

extern char** environ;

namespace golive::testing {
namespace fs = std::filesystem;

int free_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

std::string Scenario::sh(const std::string& command, int* exit_status) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) throw std::runtime_error("popen failed");
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  if (exit_status) *exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

Scenario::Scenario(int hosts) : Scenario(hosts, SandboxFleet::shared(hosts)) {}

Scenario::Scenario(int hosts, SandboxFleet& fleet) : hosts_(hosts), fleet_(&fleet) {
  std::string tmpl = "/tmp/golive-scenario-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  id_ = fs::path(dir_).filename().string();
  repo_ = dir_ + "/repo";
  app_port_ = free_tcp_port();
  sh("cp -r " + shell_quote(std::string(GOLIVE_SOURCE_DIR) + "/examples/portal") + " " +
     shell_quote(repo_) + " && rm -rf " + shell_quote(repo_ + "/dist") + " " +
     shell_quote(repo_ + "/.golive"));
  // The app port travels in the env file: bin/restart reads PORTAL_PORT from shared/.env.
  for (const char* env : {".env.staging", ".env.production"}) {
    std::ofstream(repo_ + "/" + env, std::ios::app) << "PORTAL_PORT=" << app_port_ << "\n";
  }
  write("golive.yml", default_runbook());
  sh("cd " + shell_quote(repo_) +
     " && git init -q && git config user.name 'Test Deployer' && git config user.email "
     "test@example.com && git add -A && git commit -qm v1");
}

Scenario::~Scenario() {
  // Stop the apps this scenario started (their pidfiles live in each host's shared/).
  for (int k = 1; k <= hosts_; ++k) {
    std::string pidfile = root(k) + "/shared/portal.pid";
    sh("[ -f " + shell_quote(pidfile) + " ] && kill -TERM -- -$(cat " + shell_quote(pidfile) +
       ") 2>/dev/null; true");
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
  for (int k = 1; k <= hosts_; ++k) fs::remove_all(root(k), ec);
}

std::string Scenario::root(int k) const {
  return fleet_->root(k) + "/" + id_;
}

std::string Scenario::address(int k) const {
  return fleet_->host(k).address;
}

std::string Scenario::default_runbook(const std::string& extra) const {
  std::ostringstream y;
  y << "version: 1\napp: portal\nbudget: { rollback: 1m }\nenvironments:\n  staging:\n"
    << "    env_file: .env.staging\n    vars: { port: \"" << app_port_ << "\" }\n    hosts:\n";
  for (int k = 1; k <= hosts_; ++k) {
    y << "      - { name: web" << k << ", address: " << address(k) << " }\n";
  }
  y << "env:\n  example: .env.example\n  required:\n"
    << "    - { name: SECRET_KEY, secret: true, min_length: 32 }\n"
    << "    - { name: SMOKE_PASSWORD, secret: true }\n"
    << "    - { name: PORTAL_PORT, type: port }\n"
    << "release:\n  path: \"" << fleet_->dir() << "/hosts/{{ host.name }}/" << id_ << "\"\n"
    << "  keep: 3\n  shared: [ .env ]\n"
    << "build:\n  - { name: build, local: bin/build }\nartifact: dist/\n"
    << "steps:\n"
    << "  - { name: upload, upload: artifact }\n"
    << "  - name: migrate\n"
    << "    run: echo up {{ release.id }} >> ../../shared/migrations.log\n"
    << "    undo: echo down {{ release.id }} >> ../../shared/migrations.log\n"
    << "    once: true\n"
    << "  - { name: switch, switch: current }\n"
    << "  - { name: restart, run: \"./bin/restart {{ host.address }}\", timeout: 30s }\n"
    << "rollback:\n  - { name: restart, run: \"./bin/restart {{ host.address }}\", timeout: 30s }\n"
    << "gate: { window: 4s, interval: 250ms, consecutive: 2, timeout: 2s }\n"
    << "checks:\n"
    << "  - name: home\n    http: { url: \"http://{{ host.address }}:{{ port }}/\", status: 200 }\n"
    << "  - name: login\n    login:\n"
    << "      url: \"http://{{ host.address }}:{{ port }}/login\"\n"
    << "      user: \"{{ env.SMOKE_USER }}\"\n      password: \"{{ env.SMOKE_PASSWORD }}\"\n"
    << "      then: \"http://{{ host.address }}:{{ port }}/dashboard\"\n"
    << extra;
  return y.str();
}

void Scenario::write(const std::string& rel_path, const std::string& content) {
  fs::path p = fs::path(repo_) / rel_path;
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::trunc) << content;
}

void Scenario::set_break(const std::vector<std::string>& modes) {
  std::string list;
  for (const auto& m : modes) list += (list.empty() ? "\"" : ", \"") + m + "\"";
  write("app/config.json", "{\"break\": [" + list + "]}\n");
}

std::string Scenario::commit(const std::string& message) {
  return sh("cd " + shell_quote(repo_) + " && git add -A && git commit -qm " +
            shell_quote(message) + " && git rev-parse --short HEAD");
}

std::string Scenario::command_line(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env) const {
  std::string cmd = "cd " + shell_quote(repo_) +
                    " && exec env GOLIVE_SSH_CONFIG=" + shell_quote(fleet_->ssh_config()) +
                    " GOLIVE_LEDGER=" + shell_quote(ledger()) + " CI=true";
  for (const auto& [k, v] : env) cmd += " " + k + "=" + shell_quote(v);
  cmd += " " + shell_quote(GOLIVE_BINARY);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  return cmd;
}

GoliveRun Scenario::golive(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env) {
  std::string cmd = command_line(args, env);
  const std::string out = dir_ + "/last.out", err = dir_ + "/last.err";
  cmd += " >" + shell_quote(out) + " 2>" + shell_quote(err);
  GoliveRun run;
  int status = std::system(cmd.c_str());
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = read_file(out);
  run.err = read_file(err);
  return run;
}

std::string Scenario::current(int k) const {
  std::error_code ec;
  fs::path target = fs::read_symlink(root(k) + "/current", ec);
  return ec ? "" : target.filename().string();
}

std::string Scenario::http_get(const std::string& url) const {
  return sh("curl -s -w '\nstatus %{http_code}' --max-time 5 " + shell_quote(url));
}

std::string Scenario::healthz(int k) const {
  return sh("curl -s --max-time 5 " +
            shell_quote("http://" + address(k) + ":" + std::to_string(app_port_) + "/healthz"));
}

std::string Scenario::read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

std::string slurp(const std::string& path) {
  return Scenario::read_file(path);
}

std::string run_output_path(const std::string& dir, pid_t pid, const char* which) {
  return dir + "/run-" + std::to_string(pid) + "." + which;
}

}  // namespace

pid_t Scenario::start_golive(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env) {
  // Everything the child needs is built before fork: only async-signal-safe calls after it.
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  vars["GOLIVE_SSH_CONFIG"] = fleet_->ssh_config();
  vars["GOLIVE_LEDGER"] = ledger();
  vars["CI"] = "true";
  for (const auto& [k, v] : env) vars[k] = v;
  std::vector<std::string> env_s, argv_s{GOLIVE_BINARY};
  for (const auto& [k, v] : vars) env_s.push_back(k + "=" + v);
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> envp, argv;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  static std::atomic<int> counter{0};
  const std::string tmp_out = dir_ + "/spawn-" + std::to_string(counter++);
  const std::string tmp_err = tmp_out + ".err";
  int out_fd = ::open(tmp_out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err_fd = ::open(tmp_err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0 || err_fd < 0) throw std::runtime_error("cannot create run output files");
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    if (::chdir(repo_.c_str()) != 0) ::_exit(127);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);
  fs::rename(tmp_out, run_output_path(dir_, pid, "out"));
  fs::rename(tmp_err, run_output_path(dir_, pid, "err"));
  return pid;
}

GoliveRun Scenario::wait_golive(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  GoliveRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  run.out = slurp(run_output_path(dir_, pid, "out"));
  run.err = slurp(run_output_path(dir_, pid, "err"));
  return run;
}

bool Scenario::wait_until(const std::function<bool()>& condition,
                          std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

std::string replace_block(const std::string& runbook, const std::string& key,
                          const std::string& block) {
  std::istringstream in(runbook);
  std::string line, out;
  bool skipping = false, replaced = false;
  while (std::getline(in, line)) {
    bool top_level = !line.empty() && line[0] != ' ' && line[0] != '#';
    if (top_level) {
      skipping = line.rfind(key + ":", 0) == 0;
      if (skipping && !replaced) {
        out += block;
        if (!block.empty() && block.back() != '\n') out += "\n";
        replaced = true;
      }
    }
    if (!skipping) out += line + "\n";
  }
  if (!replaced) {
    out += block;
    if (!block.empty() && block.back() != '\n') out += "\n";
  }
  return out;
}

WebhookSink::WebhookSink() {
  std::string tmpl = "/tmp/golive-webhook-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  server_ = std::make_unique<PythonServer>("webhook_sink.py",
                                           std::vector<std::string>{dir_ + "/bodies.log"});
}

WebhookSink::~WebhookSink() {
  server_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string WebhookSink::url() const {
  return server_->url() + "/hook";
}

std::vector<std::string> WebhookSink::bodies() const {
  std::vector<std::string> out;
  std::istringstream in(slurp(dir_ + "/bodies.log"));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::vector<std::string> WebhookSink::wait_for(std::size_t n, std::chrono::milliseconds timeout) {
  Scenario::wait_until([&] { return bodies().size() >= n; }, timeout);
  return bodies();
}

std::string Scenario::replace(std::string text, const std::string& from, const std::string& to) {
  std::size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("runbook has no '" + from + "'");
  for (; at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string Scenario::runbook() const {
  return read_file(repo_ + "/golive.yml");
}

void Scenario::edit_runbook(const std::vector<std::pair<std::string, std::string>>& replacements) {
  std::string text = runbook();
  for (const auto& [from, to] : replacements) text = replace(text, from, to);
  write("golive.yml", text);
}

std::vector<std::string> Scenario::releases(int k) const {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root(k) + "/releases", ec)) {
    ids.push_back(e.path().filename().string());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool Scenario::touched(int k) const {
  return fs::exists(root(k) + "/releases");
}

std::string Scenario::ssh_config_with_known_hosts(const std::string& known_hosts_content) {
  static int n = 0;
  const std::string known = dir_ + "/known_hosts." + std::to_string(++n);
  const std::string config = dir_ + "/ssh_config." + std::to_string(n);
  std::ofstream(known, std::ios::trunc) << known_hosts_content;
  std::ofstream(config, std::ios::trunc)
      << replace(read_file(fleet_->ssh_config()), fleet_->known_hosts(), known);
  return config;
}

std::string Scenario::release_id_of(const GoliveRun& run) {
  const std::string text = run.all();
  std::size_t at = text.find("release ");
  while (at != std::string::npos) {
    std::size_t end = text.find(':', at);
    std::string id = text.substr(at + 8, end == std::string::npos ? 0 : end - at - 8);
    if (id.size() > 17 && id[8] == 'T' && id.find(' ') == std::string::npos) return id;
    at = text.find("release ", at + 1);
  }
  return "";
}

}  // namespace golive::testing
