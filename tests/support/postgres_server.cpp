#include "support/postgres_server.hpp"

#include <libpq-fe.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>

#include "support/process.hpp"

namespace tinhop::test {
namespace {

namespace fs = std::filesystem;

bool runnable(const fs::path& dir) {
  return ::access((dir / "initdb").c_str(), X_OK) == 0 && ::access((dir / "pg_ctl").c_str(), X_OK) == 0;
}

// The newest Debian server (/usr/lib/postgresql/N/bin), else initdb and pg_ctl on PATH.
std::string find_bin_dir() {
  std::string best;
  int best_version = -1;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", error)) {
    const int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version && runnable(entry.path() / "bin")) {
      best_version = version;
      best = (entry.path() / "bin").string();
    }
  }
  if (!best.empty()) return best;
  const char* path = std::getenv("PATH");
  std::string rest = path != nullptr ? path : "";
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const fs::path dir = rest.substr(0, colon);
    if (!dir.empty() && runnable(dir)) return dir.string();
    if (colon == std::string::npos) break;
    rest.erase(0, colon + 1);
  }
  return {};
}

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Holder {
  std::unique_ptr<PostgresServer> server;
  bool tried = false;
  std::string absent;
};
Holder& holder() {
  static Holder instance;
  return instance;
}

}  // namespace

const char* backend_name(StorageBackend backend) {
  return backend == StorageBackend::sqlite ? "sqlite" : "postgres";
}

PostgresServer* PostgresServer::instance() {
  auto& h = holder();
  if (!h.tried) {
    h.tried = true;
    const std::string bin = find_bin_dir();
    if (bin.empty()) {
      h.absent =
          "no initdb and pg_ctl in /usr/lib/postgresql/*/bin or on PATH (Debian: postgresql-15 "
          "postgresql-contrib)";
    } else {
      h.server.reset(new PostgresServer());
      h.server->start(bin);
    }
  }
  return h.server.get();
}

std::string PostgresServer::absent_reason() {
  return holder().absent;
}

std::string PostgresServer::run_as_server_user(const std::string& command) const {
  return user_.empty() ? command : "runuser -u " + user_ + " -- sh -c " + quoted(command);
}

void PostgresServer::start(const std::string& bin_dir) {
  bin_dir_ = bin_dir;
  owner_pid_ = static_cast<int>(::getpid());
  std::string pattern = (fs::temp_directory_path() / "tinhop-pg-XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  dir_ = pattern;
  if (::geteuid() == 0) {
    // The server refuses to run as root.
    for (const char* name : {"postgres", "nobody"}) {
      if (const passwd* account = ::getpwnam(name)) {
        user_ = name;
        REQUIRE(::chown(dir_.c_str(), account->pw_uid, account->pw_gid) == 0);
        break;
      }
    }
    REQUIRE_FALSE(user_.empty());
  }
  port_ = free_loopback_port();
  const std::string data = dir_ + "/data";
  // ctest runs each test case in a process of its own: initdb once per machine and user
  // (3 s under load), then a copy of its result per process (0.4 s).
  const std::string cache =
      (fs::temp_directory_path() / ("tinhop-pg-cluster-" + std::to_string(::geteuid()) + "-" +
                                    std::to_string(std::hash<std::string>{}(bin_dir_))))
          .string();
  struct stat cached {};
  const passwd* account = user_.empty() ? nullptr : ::getpwnam(user_.c_str());
  const bool usable = ::stat((cache + "/PG_VERSION").c_str(), &cached) == 0 &&
                      cached.st_uid == (account != nullptr ? account->pw_uid : ::geteuid());
  if (usable) {
    const auto copied = run_command(run_as_server_user("cp -a " + quoted(cache) + " " + quoted(data)));
    INFO(copied.out << copied.err);
    REQUIRE(copied.exit_code == 0);
  } else {
    const auto init = run_command(run_as_server_user(
        bin_dir_ + "/initdb -D " + quoted(data) + " -U tinhop -A trust -E UTF8 --locale=C.utf8 --no-sync >" +
        quoted(dir_ + "/initdb.log") + " 2>&1"));
    INFO(init.out << init.err);
    REQUIRE(init.exit_code == 0);
    // Published whole by a rename, so a process running beside this one copies all or nothing.
    const std::string staged = dir_ + "/cluster";
    if (run_command(run_as_server_user("cp -a " + quoted(data) + " " + quoted(staged))).exit_code == 0) {
      std::error_code error;
      fs::rename(staged, cache, error);
    }
  }
  resume();
}

void PostgresServer::resume() {
  // Durability is not under test: no fsync, so a fresh database costs milliseconds.
  const std::string options = "-p " + std::to_string(port_) + " -k " + dir_ +
                              " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                              "-c full_page_writes=off";
  const auto started = run_command(run_as_server_user(bin_dir_ + "/pg_ctl -D " + quoted(dir_ + "/data") +
                                                      " -l " + quoted(dir_ + "/server.log") + " -w -s -o " +
                                                      quoted(options) + " start"));
  INFO(started.out << started.err);
  REQUIRE(started.exit_code == 0);
}

void PostgresServer::pause() {
  const auto stopped = run_command(
      run_as_server_user(bin_dir_ + "/pg_ctl -D " + quoted(dir_ + "/data") + " -m fast -w -s stop"));
  INFO(stopped.out << stopped.err);
  REQUIRE(stopped.exit_code == 0);
}

PostgresServer::~PostgresServer() {
  // A forked child (the crash tests) exits without touching its parent's server.
  if (static_cast<int>(::getpid()) != owner_pid_ || dir_.empty()) return;
  const std::string stop = run_as_server_user(bin_dir_ + "/pg_ctl -D " + quoted(dir_ + "/data") +
                                              " -m immediate -s stop >/dev/null 2>&1");
  if (std::system(stop.c_str()) != 0)
    std::cerr << "tinhop tests: could not stop PostgreSQL in " << dir_ << "\n";
  std::error_code error;
  fs::remove_all(dir_, error);
}

std::string PostgresServer::fresh_database() {
  const std::string name = "t" + std::to_string(++databases_);
  PGconn* admin = PQconnectdb(socket_conninfo("postgres").c_str());
  INFO(PQerrorMessage(admin));
  REQUIRE(PQstatus(admin) == CONNECTION_OK);
  PGresult* created = PQexec(admin, ("CREATE DATABASE " + name).c_str());
  const bool ok = PQresultStatus(created) == PGRES_COMMAND_OK;
  INFO(PQerrorMessage(admin));
  PQclear(created);
  PQfinish(admin);
  REQUIRE(ok);
  return "postgresql://tinhop@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

std::string PostgresServer::socket_conninfo(const std::string& database) const {
  return "host=" + dir_ + " port=" + std::to_string(port_) + " user=tinhop dbname=" + database;
}

std::string PostgresServer::database_of(const std::string& uri) {
  return uri.substr(uri.rfind('/') + 1);
}

std::vector<StorageBackend> storage_backends() {
  if (PostgresServer::instance() != nullptr) return {StorageBackend::sqlite, StorageBackend::postgres};
  const char* ci = std::getenv("CI");
  if (ci != nullptr && std::string_view(ci) == "true") {
    FAIL("CI=true but PostgreSQL is not installed: " << PostgresServer::absent_reason());
  }
  static bool told = false;
  if (!told) {
    told = true;
    std::cerr << "tinhop storage tests: PostgreSQL skipped, SQLite only: " << PostgresServer::absent_reason()
              << "\n";
  }
  return {StorageBackend::sqlite};
}

}  // namespace tinhop::test
