// A private PostgreSQL server for one test process, and the storage backends the storage
// suite runs against.
#pragma once

#include <string>
#include <vector>

namespace tinhop::test {

// Started on first use: initdb and pg_ctl (from /usr/lib/postgresql/*/bin, else PATH) in a
// temporary directory, listening on a free loopback port and on a socket in that directory;
// as root, the server runs as the unprivileged user "postgres" (else "nobody"). Stopped
// and removed when the process that started it exits. Each test takes a fresh database.
class PostgresServer {
 public:
  // The process's server, or nullptr when PostgreSQL is not installed. A server that is
  // installed but does not start fails the calling test.
  static PostgresServer* instance();
  // Why instance() is null ("" when it is not).
  static std::string absent_reason();

  // A new, empty database as a postgresql:// URI over loopback TCP.
  std::string fresh_database();
  // The same database as libpq key=value words over the server's Unix socket.
  std::string socket_conninfo(const std::string& database) const;
  // Stops the server as an operator would (fast: sessions are ended), and starts it again
  // on the same port with the same databases.
  void pause();
  void resume();
  // The database name of a URI from fresh_database().
  static std::string database_of(const std::string& uri);

  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;
  ~PostgresServer();

 private:
  PostgresServer() = default;
  void start(const std::string& bin_dir);
  std::string run_as_server_user(const std::string& command) const;

  std::string bin_dir_;
  std::string dir_;   // data/, the socket and the log
  std::string user_;  // the system user running the server; empty: this process's own
  int port_ = 0;
  int owner_pid_ = 0;
  int databases_ = 0;
};

enum class StorageBackend { sqlite, postgres };
const char* backend_name(StorageBackend backend);

// SQLite, and PostgreSQL when it is installed. When it is not: one line on stderr saying
// the PostgreSQL half is skipped, or a failed test when CI=true (CI must run both).
std::vector<StorageBackend> storage_backends();

}  // namespace tinhop::test
