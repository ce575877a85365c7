// A real PostgreSQL server for tests: initdb + pg_ctl into a temp dir, as an unprivileged user
// (PostgreSQL refuses to run as root: when the tests run as root, the `postgres` system user owns
// the data dir and runs the server), on a free port on 127.0.0.1, password authentication over
// TCP. Stopped and removed when the object goes away.
#pragma once

#include <string>

namespace golive::testing {

class PostgresServer {
 public:
  // Why no server can be started here ("" when the binaries are installed).
  static std::string unavailable_reason();

  // Starts a fresh cluster (throws std::runtime_error with the server's log on failure).
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  const std::string& user() const { return user_; }  // the cluster's superuser
  const std::string& password() const { return password_; }
  // postgresql://USER@127.0.0.1:PORT/DB (pass the password via PGPASSWORD).
  std::string url(const std::string& db) const;
  // The same with the password in the URL.
  std::string url_with_password(const std::string& db) const;
  // A new empty database (the superuser owns it).
  void create_database(const std::string& db);
  // Runs `sql` through psql as the superuser on `db`; returns stdout (trimmed), -At format.
  std::string psql(const std::string& db, const std::string& sql, int* exit_status = nullptr) const;

  void stop();   // pg_ctl stop -m fast (clients see the connection drop)
  void start();  // starts the stopped cluster again on the same port

 private:
  std::string as_owner(const std::string& command) const;
  std::string dir_;
  std::string bin_;
  std::string user_ = "golive_admin";
  std::string password_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace golive::testing
