// What only the PostgreSQL backend has: connection strings, a server's schema version,
// an unreachable server, and several connections on one database.
#include <libpq-fe.h>

#include "../../storage/src/postgres/pq.hpp"
#include "support.hpp"

using tinhop::test::add_source;
using tinhop::test::kNow;
using tinhop::test::make_feed;
using tinhop::test::make_item;
using tinhop::test::PostgresServer;
using tinhop::test::server_or_skip;
using namespace tinhop::storage;

namespace {

void run_sql(PostgresServer& server, const std::string& database, const std::string& sql) {
  PGconn* conn = PQconnectdb(server.socket_conninfo(database).c_str());
  REQUIRE(PQstatus(conn) == CONNECTION_OK);
  PGresult* result = PQexec(conn, sql.c_str());
  const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  INFO(PQerrorMessage(conn));
  PQclear(result);
  PQfinish(conn);
  REQUIRE(ok);
}

}  // namespace

TEST_CASE("a location is PostgreSQL by its URI scheme or its libpq keywords, else a SQLite path") {
  CHECK(is_postgres_location("postgresql://tinhop@db.example:5432/news"));
  CHECK(is_postgres_location("postgres:///news?host=/run/postgresql"));
  CHECK(is_postgres_location("host=/run/postgresql dbname=news"));
  CHECK(is_postgres_location("dbname = news"));
  CHECK_FALSE(is_postgres_location("/var/lib/tinhop/tinhop.db"));
  CHECK_FALSE(is_postgres_location(":memory:"));
  CHECK_FALSE(is_postgres_location("host.db"));
  CHECK_FALSE(is_postgres_location("weird=name.db"));
}

TEST_CASE(
    "PostgreSQL: the socket form opens the database the URI made, and a reader sees the writer's commits") {
  auto* server = server_or_skip();
  if (server == nullptr) return;
  const auto uri = server->fresh_database();
  Store writer = Store::open(uri).value();
  const auto id = add_source(writer, "https://a.vn/rss", {"thoi-su"});
  REQUIRE(writer.ingest(id, make_feed({make_item("a1", "Hội nghị", tinhop::test::kLead)}), kNow)->added == 1);

  OpenOptions read_only;
  read_only.read_only = true;
  Store reader = Store::open(server->socket_conninfo(PostgresServer::database_of(uri)), read_only).value();
  CHECK(reader.get_source(id)->settings.categories == std::vector<std::string>{"thoi-su"});
  CHECK(reader.stats()->items == 1);
  CHECK(reader.stats()->schema_version == Store::postgres_schema_version());
  SourceSettings another;
  another.url = "https://b.vn/rss";
  const auto refused = reader.add_source(another, kNow);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == Errc::internal);
  CHECK(refused.error().message.find("read-only transaction") != std::string::npos);
}

TEST_CASE("PostgreSQL: a database with a newer schema is refused") {
  auto* server = server_or_skip();
  if (server == nullptr) return;
  const auto uri = server->fresh_database();
  REQUIRE(Store::open(uri).has_value());
  run_sql(*server, PostgresServer::database_of(uri), "UPDATE tinhop_schema SET version = 99");
  const auto opened = Store::open(uri);
  REQUIRE_FALSE(opened.has_value());
  CHECK(opened.error().code == Errc::too_new);
  CHECK(opened.error().message == "database schema version 99 is newer than this program's " +
                                      std::to_string(Store::postgres_schema_version()) +
                                      " (PostgreSQL); upgrade tinhop or use another database");
}

TEST_CASE("PostgreSQL: an unreachable server is an io error that never shows the password") {
  // Port 1 on loopback: nothing listens there.
  const auto opened = Store::open("postgresql://news:s3cret@127.0.0.1:1/tinhop?connect_timeout=2");
  REQUIRE_FALSE(opened.has_value());
  CHECK(opened.error().code == Errc::io);
  CHECK(opened.error().message.starts_with("cannot connect to postgresql://news@127.0.0.1:1/tinhop: "));
  CHECK(opened.error().message.find("s3cret") == std::string::npos);
}

TEST_CASE("PostgreSQL: ids are never given twice, also after a reopen") {
  auto* server = server_or_skip();
  if (server == nullptr) return;
  const auto uri = server->fresh_database();
  std::int64_t removed = 0;
  {
    Store store = Store::open(uri).value();
    add_source(store, "https://a.vn/rss");
    removed = add_source(store, "https://b.vn/rss");
    REQUIRE(store.remove_source(removed).has_value());
  }
  Store store = Store::open(uri).value();
  CHECK(add_source(store, "https://c.vn/rss") == removed + 1);
}

TEST_CASE("PostgreSQL: a version 1 database gains rule counts, WebSub subscriptions and websub on") {
  auto* server = server_or_skip();
  if (server == nullptr) return;
  const auto uri = server->fresh_database();
  {
    OpenOptions first;
    first.migrate_to = 1;
    Store v1 = Store::open(uri, first).value();
    CHECK(v1.stats()->schema_version == 1);
  }
  // Written as version 1 had it: this program's add_source writes the websub column.
  run_sql(
      *server, PostgresServer::database_of(uri),
      "INSERT INTO sources(id, url, type, date_order, republication, enabled, origin, created, modified) "
      "VALUES(nextval('source_ids'), 'https://a.vn/rss', 'feed', 'automatic', 'full', true, 'config', 0, 0)");
  const std::int64_t id = 1;
  Store store = Store::open(uri).value();
  CHECK(store.stats()->schema_version == Store::postgres_schema_version());
  CHECK(store.get_source(id)->settings.websub);
  const std::vector<RuleCount> counts{{id, "video", 2, 1}};
  REQUIRE(store.add_rule_counts(counts).has_value());
  CHECK(*store.rule_counts(id) == counts);
  Subscription subscription;
  subscription.source_id = id;
  subscription.hub = "https://hub.example/";
  subscription.topic = "https://a.vn/rss";
  subscription.callback = "token";
  subscription.changed = kNow;
  REQUIRE(store.save_subscription(subscription).has_value());
  CHECK((*store.subscription_by_callback("token"))->source_id == id);
}

TEST_CASE(
    "PostgreSQL: binary array parameters arrive as sent, NULLs and empty arrays included, NUL left out") {
  auto* server = server_or_skip();
  if (server == nullptr) return;
  pg::Connection db(server->fresh_database());
  using Element = pg::BinaryArray::Element;
  pg::BinaryArray ids(Element::int8), texts(Element::text), flags(Element::boolean), small(Element::int2),
      bytes(Element::bytea);
  ids.add(std::int64_t{-9223372036854775807} - 1).add(std::optional<std::int64_t>{}).add(std::int64_t{42});
  texts.add_text(std::string("a\0b", 3)).add(std::optional<std::string>{}).add_text("Hội \"nghị\", {x}\\");
  flags.add(true).add(false).add(true);
  small.add(std::int64_t{-32768}).add(std::int64_t{32767}).add(std::optional<std::int64_t>{});
  bytes.add_bytes(std::string("\0\xff", 2)).add_bytes("").add(std::optional<std::int64_t>{});
  pg::Params p;
  p.add(std::int64_t{7})
      .add_binary(ids.take())
      .add_binary(texts.take())
      .add_binary(flags.take())
      .add_binary(small.take())
      .add_binary(bytes.take());
  auto rows = db.query(
      "SELECT $1::bigint, t.a::text, t.b, t.c::text, t.d::text, encode(t.e, 'hex') FROM unnest($2::bigint[], "
      "$3::text[], $4::boolean[], $5::smallint[], $6::bytea[]) WITH ORDINALITY AS t(a, b, c, d, e, n) ORDER "
      "BY n",
      p);
  std::vector<std::vector<std::optional<std::string>>> got;
  while (rows.next()) {
    got.push_back({});
    for (int column = 0; column < 6; ++column) got.back().push_back(rows.optional_text(column));
  }
  using Row = std::vector<std::optional<std::string>>;
  const std::vector<Row> expected = {
      Row{"7", "-9223372036854775808", "ab", "true", "-32768", "00ff"},
      Row{"7", std::nullopt, std::nullopt, "false", "32767", ""},
      Row{"7", "42", "Hội \"nghị\", {x}\\", "true", std::nullopt, std::nullopt},
  };
  CHECK(got == expected);
  // An empty array, and one taken twice: take() leaves an empty array behind.
  pg::BinaryArray none(Element::text);
  none.add_text("gone");
  (void)none.take();
  std::optional<std::int64_t> sum;
  try {
    sum = db.scalar("SELECT coalesce(cardinality($1::text[]), -1) + 10 * cardinality($2::bigint[])",
                    pg::Params().add_binary(none.take()).add_binary(pg::BinaryArray(Element::int8).take()));
  } catch (const sql::SqlFailure& f) {
    FAIL(f.error.message);
  }
  CHECK(sum == 0);
  // A smallint that does not fit is refused before anything is sent.
  pg::BinaryArray too_big(Element::int2);
  CHECK_THROWS_AS(too_big.add(std::int64_t{32768}), sql::SqlFailure);
}
