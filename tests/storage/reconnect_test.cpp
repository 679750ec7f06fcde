// PostgreSQL connections the server dropped: a store connects again on its next call
// outside a transaction, with its session settings, and the change listener hears every
// commit within a second, before and after its own connection was dropped (issue #18).
#include <libpq-fe.h>

#include <condition_variable>
#include <mutex>

#include "support.hpp"
#include "tinhop/storage/change_listener.hpp"

using tinhop::test::add_source;
using tinhop::test::kNow;
using tinhop::test::make_feed;
using tinhop::test::make_item;
using tinhop::test::PostgresServer;
using tinhop::test::server_or_skip;
using namespace tinhop::storage;
using namespace std::chrono_literals;

namespace {

// Ends every other session on `database`, as a server restart or a network drop would.
int drop_connections(PostgresServer& server, const std::string& database) {
  PGconn* conn = PQconnectdb(server.socket_conninfo(database).c_str());
  REQUIRE(PQstatus(conn) == CONNECTION_OK);
  PGresult* result = PQexec(conn,
                            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  INFO(PQerrorMessage(conn));
  REQUIRE(PQresultStatus(result) == PGRES_TUPLES_OK);
  const int dropped = std::atoi(PQgetvalue(result, 0, 0));
  PQclear(result);
  PQfinish(conn);
  return dropped;
}

// What a listener told, and a wait for it.
struct Heard {
  std::mutex mutex;
  std::condition_variable cv;
  int changes = 0;
  std::vector<std::optional<std::string>> states;

  ChangeHooks hooks() {
    return {.changed =
                [this] {
                  std::lock_guard lock(mutex);
                  ++changes;
                  cv.notify_all();
                },
            .connection =
                [this](std::optional<std::string> lost) {
                  std::lock_guard lock(mutex);
                  states.push_back(std::move(lost));
                  cv.notify_all();
                }};
  }
  bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, limit, done);
  }
};

}  // namespace

TEST_CASE("PostgreSQL: a store whose connection the server dropped connects again with its settings") {
  auto* server = server_or_skip();
  if (server == nullptr) return;
  const auto uri = server->fresh_database();
  Store writer = Store::open(uri).value();
  const auto id = add_source(writer, "https://a.vn/rss");
  REQUIRE(writer.ingest(id, make_feed({make_item("a1", "Hội nghị", tinhop::test::kLead)}), kNow)->added == 1);
  OpenOptions read_only;
  read_only.read_only = true;
  Store reader = Store::open(uri, read_only).value();
  REQUIRE(reader.stats()->items == 1);

  REQUIRE(drop_connections(*server, PostgresServer::database_of(uri)) == 2);
  // The call that finds the connection gone fails; the next one connects again and
  // prepares its statements anew.
  const auto lost = reader.stats();
  REQUIRE_FALSE(lost.has_value());
  CHECK(lost.error().code == Errc::io);
  CHECK(reader.stats()->items == 1);
  SourceSettings another;
  another.url = "https://b.vn/rss";
  const auto refused = reader.add_source(another, kNow);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().message.find("read-only transaction") != std::string::npos);

  const auto failed = writer.ingest(id, make_feed({make_item("a2", "Tin hai", tinhop::test::kLead)}), kNow);
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code == Errc::io);
  CHECK(writer.ingest(id, make_feed({make_item("a2", "Tin hai", tinhop::test::kLead)}), kNow)->added == 1);
  CHECK(reader.stats()->items == 2);
}

TEST_CASE("PostgreSQL: a store that cannot reach the server waits out a backoff before trying again") {
  auto* server = server_or_skip();
  if (server == nullptr) return;
  const auto uri = server->fresh_database();
  Store store = Store::open(uri).value();
  const std::string database = PostgresServer::database_of(uri);
  REQUIRE(drop_connections(*server, database) == 1);
  // Connections to the database refused from now on: every attempt to connect fails.
  PGconn* admin = PQconnectdb(server->socket_conninfo("postgres").c_str());
  REQUIRE(PQstatus(admin) == CONNECTION_OK);
  PQclear(PQexec(admin, ("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false").c_str()));
  REQUIRE_FALSE(store.stats().has_value());  // finds the connection gone
  const auto attempt = store.stats();        // tries to connect, is refused
  REQUIRE_FALSE(attempt.has_value());
  CHECK(attempt.error().message.find("cannot connect to postgresql://tinhop@127.0.0.1:") == 0);
  const auto waiting = store.stats();  // within the backoff: no attempt
  REQUIRE_FALSE(waiting.has_value());
  CHECK(waiting.error().code == Errc::io);
  CHECK(waiting.error().message.ends_with("(trying again with backoff)"));
  PQclear(PQexec(admin, ("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true").c_str()));
  PQfinish(admin);
  std::this_thread::sleep_for(300ms);  // the first step is 250 ms
  CHECK(store.stats().has_value());
}

TEST_CASE("PostgreSQL: the change listener hears each commit within a second, also after a drop") {
  auto* server = server_or_skip();
  if (server == nullptr) return;
  const auto uri = server->fresh_database();
  Store writer = Store::open(uri).value();
  const auto id = add_source(writer, "https://a.vn/rss");
  Heard heard;
  auto listener = ChangeListener::start(uri, heard.hooks());
  REQUIRE(listener != nullptr);
  // Once on connecting: what was committed before it listened went unheard.
  REQUIRE(heard.wait_for([&] { return heard.changes == 1; }, 5s));

  REQUIRE(writer.ingest(id, make_feed({make_item("a1", "Tin một", tinhop::test::kLead)}), kNow)->added == 1);
  CHECK(heard.wait_for([&] { return heard.changes == 2; }, 1s));

  REQUIRE(drop_connections(*server, PostgresServer::database_of(uri)) == 2);
  REQUIRE(heard.wait_for([&] { return heard.states.size() == 2 && heard.changes == 3; }, 5s));
  {
    std::lock_guard lock(heard.mutex);
    REQUIRE(heard.states[0].has_value());
    CHECK(heard.states[0]->starts_with("lost the connection to postgresql://tinhop@127.0.0.1:"));
    CHECK_FALSE(heard.states[1].has_value());  // connected again, and told of a change:
                                               // commits may have gone unheard meanwhile
  }
  REQUIRE_FALSE(
      writer.ingest(id, make_feed({make_item("a2", "Tin hai", tinhop::test::kLead)}), kNow).has_value());
  REQUIRE(writer.ingest(id, make_feed({make_item("a2", "Tin hai", tinhop::test::kLead)}), kNow)->added == 1);
  CHECK(heard.wait_for([&] { return heard.changes == 4; }, 1s));
}

TEST_CASE("PostgreSQL: a node's change listener is told of the other nodes' commits, not its own") {
  auto* server = server_or_skip();
  if (server == nullptr) return;
  const auto uri = server->fresh_database();
  OpenOptions as_a, as_b;
  as_a.node = "a/101";
  as_b.node = "b/202";
  Store a = Store::open(uri, as_a).value();
  Store b = Store::open(uri, as_b).value();
  const auto id = add_source(a, "https://a.vn/rss");
  Heard heard_a, heard_b;
  auto listener_a = ChangeListener::start(uri, heard_a.hooks(), as_a.node);
  auto listener_b = ChangeListener::start(uri, heard_b.hooks(), as_b.node);
  // Once each on connecting.
  REQUIRE(heard_a.wait_for([&] { return heard_a.changes == 1; }, 5s));
  REQUIRE(heard_b.wait_for([&] { return heard_b.changes == 1; }, 5s));

  REQUIRE(a.ingest(id, make_feed({make_item("a1", "Tin một", tinhop::test::kLead)}), kNow)->added == 1);
  CHECK(heard_b.wait_for([&] { return heard_b.changes == 2; }, 1s));
  // a's own notification would have reached it as soon as b's did.
  CHECK_FALSE(heard_a.wait_for([&] { return heard_a.changes > 1; }, 300ms));

  REQUIRE(b.ingest(id, make_feed({make_item("b1", "Tin hai", tinhop::test::kLead)}), kNow)->added == 1);
  CHECK(heard_a.wait_for([&] { return heard_a.changes == 2; }, 1s));
  CHECK_FALSE(heard_b.wait_for([&] { return heard_b.changes > 2; }, 300ms));

  // A process without a node name (the CLI) is heard by every node.
  Store cli = Store::open(uri).value();
  REQUIRE(cli.ingest(id, make_feed({make_item("c1", "Tin ba", tinhop::test::kLead)}), kNow)->added == 1);
  CHECK(heard_a.wait_for([&] { return heard_a.changes == 3; }, 1s));
  CHECK(heard_b.wait_for([&] { return heard_b.changes == 3; }, 1s));
}

TEST_CASE("a SQLite store has no change listener: its writer tells its readers itself") {
  CHECK(ChangeListener::start(":memory:", {}) == nullptr);
  CHECK(ChangeListener::start("/var/lib/tinhop/tinhop.db", {}) == nullptr);
}
