#include "tests/harness/postgres_server.h"

#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

#include "tests/harness/scenario.h"

namespace golive::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBinDir = "/usr/lib/postgresql/15/bin";

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string random_password() {
  std::random_device rd;
  std::string out = "pg-FAKE-pw-";
  static constexpr char kChars[] = "abcdefghijkmnopqrstuvwxyz23456789";
  for (int i = 0; i < 20; ++i) out += kChars[rd() % (sizeof(kChars) - 1)];
  return out;
}

}  // namespace

std::string PostgresServer::unavailable_reason() {
  for (const char* tool : {"initdb", "pg_ctl", "postgres"}) {
    if (!fs::exists(fs::path(kBinDir) / tool)) {
      return std::string(kBinDir) + "/" + tool +
             " is missing: apt-get install postgresql (scripts/test installs it)";
    }
  }
  if (geteuid() == 0 && !getpwnam("postgres")) {
    return "running as root and there is no `postgres` user to run the server as";
  }
  return "";
}

PostgresServer::PostgresServer() : bin_(kBinDir), password_(random_password()) {
  char tmpl[] = "/tmp/golive-pg-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("cannot create a temp dir for PostgreSQL");
  dir_ = tmpl;
  std::ofstream(dir_ + "/pwfile") << password_ << "\n";
  if (geteuid() == 0) {
    Scenario::sh("chown -R postgres: " + quote(dir_));
  }
  int rc = 0;
  std::string out = Scenario::sh(
      as_owner(bin_ + "/initdb -D " + quote(dir_ + "/data") + " -U " + user_ +
               " --pwfile=" + quote(dir_ + "/pwfile") +
               " --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --no-locale --no-sync") +
          " 2>&1",
      &rc);
  if (rc != 0) throw std::runtime_error("initdb failed: " + out);
  port_ = free_tcp_port();
  start();
}

PostgresServer::~PostgresServer() {
  if (running_) {
    Scenario::sh(as_owner(bin_ + "/pg_ctl -D " + quote(dir_ + "/data") + " -m immediate -w stop") +
                 " >/dev/null 2>&1");
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string PostgresServer::as_owner(const std::string& command) const {
  if (geteuid() != 0) return command;
  return "runuser -u postgres -- sh -c " + quote("cd / && " + command);
}

void PostgresServer::start() {
  int rc = 0;
  std::string options = "-p " + std::to_string(port_) +
                        " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir_ +
                        " -c fsync=off -c max_connections=60";
  std::string out = Scenario::sh(
      as_owner(bin_ + "/pg_ctl -D " + quote(dir_ + "/data") + " -l " + quote(dir_ + "/server.log") +
               " -o " + quote(options) + " -w -t 60 start") +
          " 2>&1",
      &rc);
  if (rc != 0) {
    throw std::runtime_error("pg_ctl start failed: " + out + "\n" +
                             Scenario::read_file(dir_ + "/server.log"));
  }
  running_ = true;
}

void PostgresServer::stop() {
  Scenario::sh(as_owner(bin_ + "/pg_ctl -D " + quote(dir_ + "/data") + " -m fast -w stop") +
               " >/dev/null 2>&1");
  running_ = false;
}

std::string PostgresServer::url(const std::string& db) const {
  return "postgresql://" + user_ + "@127.0.0.1:" + std::to_string(port_) + "/" + db;
}

std::string PostgresServer::url_with_password(const std::string& db) const {
  return "postgresql://" + user_ + ":" + password_ + "@127.0.0.1:" + std::to_string(port_) + "/" +
         db;
}

void PostgresServer::create_database(const std::string& db) {
  int rc = 0;
  std::string out = psql("postgres", "CREATE DATABASE " + db, &rc);
  if (rc != 0) throw std::runtime_error("CREATE DATABASE " + db + " failed: " + out);
}

std::string PostgresServer::psql(const std::string& db, const std::string& sql,
                                 int* exit_status) const {
  return Scenario::sh("PGPASSWORD=" + quote(password_) +
                          " psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p " +
                          std::to_string(port_) + " -U " + user_ + " -d " + quote(db) + " -c " +
                          quote(sql) + " 2>&1",
                      exit_status);
}

}  // namespace golive::testing
