// PostgreSQL's search vectors and queries, built by the client (storage/src/postgres/search):
// their binary form, their limits, and a database whose vectors the server generated.
#include <libpq-fe.h>

#include <algorithm>
#include <random>

#include "../../storage/src/postgres/search.hpp"
#include "support.hpp"
#include "tinhop/parsers/text.hpp"

using tinhop::test::add_source;
using tinhop::test::kNow;
using tinhop::test::make_feed;
using tinhop::test::make_item;
using tinhop::test::PostgresServer;
using tinhop::test::server_or_skip;
using namespace tinhop::storage;
using tinhop::storage::pg::search_query;
using tinhop::storage::pg::search_vector;

namespace {

// A search vector's binary form read as the server's tsvectorrecv reads it (big-endian
// lexeme count; each lexeme, NUL, its position count and positions), printed as the
// server prints a tsvector: 'word':1,2 in the order given.
std::string vector_text(const std::string& binary) {
  std::size_t at = 0;
  const auto take = [&](std::size_t bytes) {
    REQUIRE(at + bytes <= binary.size());
    std::uint32_t value = 0;
    for (std::size_t k = 0; k < bytes; ++k) value = (value << 8U) | static_cast<unsigned char>(binary[at++]);
    return value;
  };
  const std::uint32_t lexemes = take(4);
  std::string out;
  for (std::uint32_t i = 0; i < lexemes; ++i) {
    const std::size_t end = binary.find('\0', at);
    REQUIRE(end != std::string::npos);
    if (!out.empty()) out += ' ';
    out += '\'';
    for (const char c : binary.substr(at, end - at)) {
      if (c == '\'' || c == '\\') out += c;
      out += c;
    }
    out += '\'';
    at = end + 1;
    const std::uint32_t positions = take(2);
    for (std::uint32_t k = 0; k < positions; ++k) out += (k == 0 ? ":" : ",") + std::to_string(take(2));
  }
  CHECK(at == binary.size());
  return out;
}

// The first column of the first row of `sql`'s result.
std::string sql_text(PostgresServer& server, const std::string& database, const std::string& sql) {
  PGconn* conn = PQconnectdb(server.socket_conninfo(database).c_str());
  REQUIRE(PQstatus(conn) == CONNECTION_OK);
  PGresult* result = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(result);
  INFO(PQerrorMessage(conn));
  const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  std::string value = status == PGRES_TUPLES_OK && PQntuples(result) > 0 ? PQgetvalue(result, 0, 0) : "";
  PQclear(result);
  PQfinish(conn);
  REQUIRE(ok);
  return value;
}

std::size_t found(Store& store, const std::string& words) {
  ClusterQuery query;
  query.search = words;
  return store.latest_clusters(query).value().clusters.size();
}

}  // namespace

TEST_CASE("a search vector holds the folded words of the title and the summary's opening, with positions") {
  CHECK(vector_text(search_vector("Hội nghị Trung ương", "", "Bàn về kinh tế")) ==
        "'ban':5 'hoi':1 'kinh':7 'nghi':2 'te':8 'trung':3 'uong':4 've':6");
  CHECK(vector_text(search_vector("Đảng, Đảng!", "", "")) == "'dang':1,2");
  // The summary's plain text when it has markup; else its first 280 characters.
  CHECK(vector_text(search_vector("", "gia vang", "<p>gia vang</p>")) == "'gia':1 'vang':2");
  std::string summary(278, 'x');
  summary += " y zz";  // "y" is the 280th character
  CHECK(vector_text(search_vector("", "", summary)) == "'" + std::string(278, 'x') + "':1 'y':2");
  CHECK(vector_text(search_vector("", "", "")) == "");
  CHECK(vector_text(search_vector("—, …", "", "")) == "");
}

TEST_CASE("a search vector stays within what PostgreSQL's tsvector takes") {
  // A word over 2,047 bytes is left out but keeps its place.
  CHECK(vector_text(search_vector(std::string(2048, 'a') + " b", "", "")) == "'b':2");
  CHECK(vector_text(search_vector(std::string(2047, 'a'), "", "")) == "'" + std::string(2047, 'a') + "':1");
  // At most 256 positions a word.
  std::string repeated;
  for (int i = 0; i < 300; ++i) repeated += "tin ";
  const std::string vector = vector_text(search_vector(repeated, "", ""));
  CHECK(std::count(vector.begin(), vector.end(), ',') == 255);
  CHECK(vector.ends_with(",256"));
  // Positions stop at 16,383.
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "w" + std::to_string(i) + " ";
  const std::string long_vector = vector_text(search_vector(many, "", ""));
  CHECK(long_vector.find("'w16382':16383") != std::string::npos);
  CHECK(long_vector.find("'w16383'") == std::string::npos);
}

TEST_CASE("a reader's query becomes tsquery text that requires each word, folded") {
  CHECK(search_query("Hội nghị") == "'hoi' & 'nghi'");
  CHECK(search_query("\"giá vàng\" tăng") == "('gia' <-> 'vang') & 'tang'");
  CHECK(search_query("vàn*") == "'van':*");
  CHECK(search_query("COVID-19*") == "('covid' <-> '19':*)");
  // What tsquery reads as operators are separators here, never a syntax error.
  CHECK(search_query("a & !b | (c) <-> d:* 'e' \\f") == "'a' & 'b' & 'c' & 'd':* & 'e' & 'f'");
  CHECK(search_query("AND OR NOT (") == "'and' & 'or' & 'not'");
  CHECK(search_query("  \"\" - * ").empty());
  CHECK(search_query("\"unclosed phrase") == "('unclosed' <-> 'phrase')");
}

TEST_CASE(
    "PostgreSQL: search finds words the client folded, phrases in order, and nothing of a huge title breaks "
    "it") {
  auto* server = server_or_skip();
  if (server == nullptr) return;
  Store store = Store::open(server->fresh_database()).value();
  const auto a = add_source(store, "https://a.vn/rss");
  std::string huge = "Khởi đầu";
  for (int i = 0; i < 20000; ++i) huge += " từ" + std::to_string(i);
  huge += " " + std::string(5000, 'z');
  REQUIRE(store
              .ingest(a,
                      make_feed({make_item("a1", "COVID-19 bùng phát ở Đà Nẵng", "Hàng trăm ca mắc mới"),
                                 make_item("a2", huge, "Tóm tắt")}),
                      kNow)
              .has_value());
  CHECK(found(store, "covid 19") == 1);
  CHECK(found(store, "COVID-19") == 1);
  CHECK(found(store, "\"da nang\"") == 1);
  CHECK(found(store, "\"nang da\"") == 0);
  CHECK(found(store, "ca mac moi") == 1);
  CHECK(found(store, "khoi dau") == 1);
  CHECK(found(store, "tu16000") == 1);
  CHECK(found(store, "tu19999") == 0);  // past the vector's last position
}

TEST_CASE("PostgreSQL: the migration to client-built vectors rebuilds every stored item's") {
  auto* server = server_or_skip();
  if (server == nullptr) return;
  const auto uri = server->fresh_database();
  const std::string database = PostgresServer::database_of(uri);
  {
    OpenOptions before;
    before.migrate_to = Store::postgres_schema_version() - 1;
    REQUIRE(Store::open(uri, before).has_value());
  }
  // Rows as the previous version wrote them: the server generated their vectors.
  sql_text(
      *server, database,
      "INSERT INTO sources(id, url, type, date_order, republication, enabled, origin, created, modified) "
      "VALUES(nextval('source_ids'), 'https://a.vn/rss', 'feed', 'automatic', 'full', true, 'config', 0, 0);"
      "INSERT INTO health(source_id) VALUES(1);"
      "INSERT INTO clusters(id, published, size, public_id) VALUES(nextval('cluster_ids'), 1710300000, 1, 1),"
      "(nextval('cluster_ids'), 1710310000, 1, 2);"
      "INSERT INTO items(id, source_id, key, cluster_id, title, summary, search_text, published, first_seen, "
      "content_hash) VALUES"
      "(nextval('item_ids'), 1, 11, 1, 'Hội nghị Trung ương', 'Bàn về kinh tế', '', 1710300000, 1710300000, "
      "1),"
      "(nextval('item_ids'), 1, 12, 2, 'COVID-19', '<p>Đà Nẵng</p>', 'Đà Nẵng', 1710310000, 1710310000, 1)");
  // The server's parser read "-19" as a signed number: "covid 19" did not find it.
  CHECK(sql_text(*server, database, "SELECT search::text FROM items WHERE id = 2") ==
        "'-19':2 'covid':1 'da':3 'nang':4");
  Store store = Store::open(uri).value();
  CHECK(store.stats()->schema_version == Store::postgres_schema_version());
  CHECK(sql_text(*server, database, "SELECT search::text FROM items WHERE id = 1") ==
        vector_text(search_vector("Hội nghị Trung ương", "", "Bàn về kinh tế")));
  CHECK(sql_text(*server, database, "SELECT search::text FROM items WHERE id = 2") ==
        "'19':2 'covid':1 'da':3 'nang':4");
  CHECK(sql_text(*server, database,
                 "SELECT attgenerated FROM pg_attribute WHERE attrelid = 'items'::regclass "
                 "AND attname = 'search'") == "");
  CHECK(found(store, "hoi nghi") == 1);
  CHECK(found(store, "covid-19") == 1);
  CHECK(found(store, "\"da nang\"") == 1);
  // The next entry's vector is the client's too.
  REQUIRE(store.ingest(1, make_feed({make_item("a3", "Giá vàng tăng", "Thị trường")}), kNow).has_value());
  CHECK(found(store, "gia vang") == 1);
}

TEST_CASE(
    "PostgreSQL: any title's search vector is one the server reads, and its words are found; NUL is left "
    "out") {
  auto* server = server_or_skip();
  if (server == nullptr) return;
  Store store = Store::open(server->fresh_database()).value();
  const auto a = add_source(store, "https://a.vn/rss");
  // Random bytes and random code points (every plane, controls, marks, quotes, backslashes),
  // each title with a known word to find it by.
  std::mt19937 random(20261207);
  std::vector<tinhop::Item> items;
  for (int i = 0; i < 400; ++i) {
    std::string title = "tu" + std::to_string(i) + " ";
    const int length = static_cast<int>(random() % 200);
    for (int k = 0; k < length; ++k) {
      if (i % 2 == 0) {
        title += static_cast<char>(random() % 256);
      } else {
        char32_t c = random() % 0x110000;
        if (c >= 0xD800 && c <= 0xDFFF) c = '\'';
        if (random() % 4 == 0) c = U"'\\\"  :*&|!"[random() % 10];
        if (c < 0x80) {
          title += static_cast<char>(c);
        } else if (c < 0x800) {
          title += static_cast<char>(0xC0 | (c >> 6));
          title += static_cast<char>(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
          title += static_cast<char>(0xE0 | (c >> 12));
          title += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
          title += static_cast<char>(0x80 | (c & 0x3F));
        } else {
          title += static_cast<char>(0xF0 | (c >> 18));
          title += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
          title += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
          title += static_cast<char>(0x80 | (c & 0x3F));
        }
      }
    }
    // As the parsers hand text on: well-formed UTF-8 (ill-formed bytes read as U+FFFD), NUL
    // included (a JSON Feed's "\u0000"), which PostgreSQL's text cannot hold.
    items.push_back(make_item("r" + std::to_string(i), tinhop::to_nfc(title), std::string("s\0u", 3)));
  }
  for (std::size_t start = 0; start < items.size(); start += 50) {
    const std::vector<tinhop::Item> part(items.begin() + static_cast<std::ptrdiff_t>(start),
                                         items.begin() + static_cast<std::ptrdiff_t>(start + 50));
    const auto counts = store.ingest(a, make_feed(part), kNow);
    INFO((counts ? std::string() : counts.error().message));
    REQUIRE(counts.has_value());
    CHECK(counts->added == 50);
  }
  for (const int i : {0, 1, 198, 199, 398, 399}) {
    INFO(i);
    CHECK(found(store, "tu" + std::to_string(i)) == 1);
  }
  const auto stored = store.source_items(a, 1).value();
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].summary == "su");
}
