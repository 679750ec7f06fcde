// Ingest benchmark: N items through identity + near-duplicate dedup into SQLite, measured
// in the same run as the limit, a plain batched INSERT of the same rows into a bare table
// (../shared/bench/sqlite_bench.cpp's schema and settings), and the all-duplicates
// re-ingest against a plain INSERT OR IGNORE. Then the publisher's queries on the result.
// With --database URL the same into PostgreSQL (issue #18): the store on that database, the
// limit a plain_items table there, INSERT and INSERT ... ON CONFLICT DO NOTHING one row per
// statement (prepared) and, as a stricter limit, 1,000 rows per statement; the database must
// be empty (bench/pg/ingest runs it on a private server).
//
//   ingest_bench DIR WORDS_FILE [--items N] [--seed S] [--dup-share F] [--skip-baseline] [--queries-only]
//                [--cache-kib K] [--database URL]
//
// WORDS_FILE: python3 ../shared/bench/gen_corpus.py --dump-words words.txt
// Rows are generated 1,000 at a time outside the timed sections (one transaction each:
// 20 feeds of 50 items for tinhop, 1,000 rows for the baseline). Output: JSON lines.
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tinhop/storage/store.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr long kChunk = 1000;
constexpr int kFeedsPerChunk = 20;
constexpr int kSources = 2000;

struct Row {
  std::string id, title, link, body;
  int feed = 0;
  long long published = 0;
};

// Deterministic rows, shaped like sqlite_bench's: 40-hex id, ~100 B title and link, ~1 KB
// body. A share of them republish a recent row from another feed: own id and link, the
// text with two words replaced (what near-duplicate detection must catch).
class Generator {
 public:
  Generator(const std::vector<std::string>& words, unsigned long long seed, double dup_share)
      : words_(words), state_(seed), dup_share_(dup_share) {}

  std::vector<Row> chunk(long first) {
    std::vector<Row> rows(kChunk);
    for (long k = 0; k < kChunk; ++k) {
      const long i = first + k;
      Row& r = rows[static_cast<std::size_t>(k)];
      r.id = hex40();
      // 20 feeds per chunk, rotating over all sources, 50 rows each.
      r.feed =
          static_cast<int>(((first / kChunk) * kFeedsPerChunk + k / (kChunk / kFeedsPerChunk)) % kSources);
      // ~1M items over 100 days: arrival order is publication order, as in a live store.
      r.published = 1710000000LL + i * 8 + static_cast<long long>(next() % 8);
      const bool dup = !recent_.empty() && static_cast<double>(next() % 10000) < dup_share_ * 10000;
      if (dup) {
        const Row& original = recent_[next() % recent_.size()];
        r.title = original.title;
        r.body = replace_words(original.body, 2);
      } else {
        r.title = text(100, true);
        r.body = text(1000, true);
      }
      char buf[200];
      std::snprintf(buf, sizeof buf, "https://www.agency-%d.example/tin-tuc/%016llx%016llx-%07ld.html",
                    r.feed, static_cast<unsigned long long>(next()), static_cast<unsigned long long>(next()),
                    i);
      r.link = buf;
      if (recent_.size() < 2000) {
        recent_.push_back(r);
      } else {
        recent_[next() % recent_.size()] = r;
      }
    }
    return rows;
  }

 private:
  unsigned long long next() {  // splitmix64
    unsigned long long z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::string hex40() {
    static const char* hex = "0123456789abcdef";
    std::string s(40, '0');
    for (int k = 0; k < 40; k += 16) {
      const auto v = next();
      for (int j = 0; j < 16 && k + j < 40; ++j)
        s[static_cast<std::size_t>(k + j)] = hex[(v >> (4 * j)) & 15];
    }
    return s;
  }
  std::string text(std::size_t bytes, bool capital) {
    std::string s;
    while (s.size() < bytes) {
      if (!s.empty()) s += ' ';
      s += words_[next() % words_.size()];
    }
    if (capital && !s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 32);
    return s;
  }
  std::string replace_words(const std::string& body, int n) {
    std::string out = body;
    for (int k = 0; k < n; ++k) {
      const auto at = out.find(' ', next() % out.size());
      if (at == std::string::npos) continue;
      out.insert(at + 1, words_[next() % words_.size()] + " ");
    }
    return out;
  }

  const std::vector<std::string>& words_;
  unsigned long long state_;
  double dup_share_;
  std::vector<Row> recent_;
};

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// CPU time of this process (user + system): with other load on the machine, wall-clock
// rates understate what the code can do; the CPU figure shows what it costs.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// CPU time of the calling thread alone: with the store's helper threads (WAL checkpoints,
// entry preparation), the writer's own time is the critical path when a core is free.
double thread_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Bytes the calling thread handed to write(2) so far: for the writer, the WAL it appends
// (checkpoints copy it into the database on their own thread).
long long thread_written_bytes() {
  std::ifstream io("/proc/thread-self/io");
  std::string key;
  long long value = 0;
  while (io >> key >> value) {
    if (key == "wchar:") return value;
  }
  return 0;
}

void die(const char* what, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", what, message.c_str());
  std::exit(1);
}

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) die(sql, error != nullptr ? error : "?");
}

long bytes_of(const fs::path& p) {
  std::error_code ec;
  const auto size = fs::file_size(p, ec);
  return ec ? 0 : static_cast<long>(size);
}

// The limit: sqlite_bench's bare table and statement, same rows, same transactions.
double baseline(const fs::path& path, const std::vector<std::string>& words, unsigned long long seed,
                double dups, long items, const char* sql, const char* label, sqlite3* db) {
  Generator gen(words, seed, dups);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) die("prepare", sqlite3_errmsg(db));
  Clock::duration total{};
  Clock::duration interval{};
  double cpu = 0;
  long changed = 0;
  const long long written_before = thread_written_bytes();
  for (long first = 0; first < items; first += kChunk) {
    const auto rows = gen.chunk(first);
    const auto t0 = Clock::now();
    const double c0 = cpu_seconds();
    exec(db, "BEGIN");
    for (const auto& r : rows) {
      sqlite3_bind_text(st, 1, r.id.data(), static_cast<int>(r.id.size()), SQLITE_STATIC);
      sqlite3_bind_int(st, 2, r.feed);
      sqlite3_bind_text(st, 3, r.title.data(), static_cast<int>(r.title.size()), SQLITE_STATIC);
      sqlite3_bind_text(st, 4, r.link.data(), static_cast<int>(r.link.size()), SQLITE_STATIC);
      sqlite3_bind_int64(st, 5, r.published);
      sqlite3_bind_text(st, 6, r.body.data(), static_cast<int>(r.body.size()), SQLITE_STATIC);
      if (sqlite3_step(st) != SQLITE_DONE) die(label, sqlite3_errmsg(db));
      changed += sqlite3_changes(db);
      sqlite3_reset(st);
    }
    exec(db, "COMMIT");
    const auto dt = Clock::now() - t0;
    cpu += cpu_seconds() - c0;
    total += dt;
    interval += dt;
    if ((first + kChunk) % 100000 == 0) {
      std::printf("{\"step\":\"%s\",\"rows_done\":%ld,\"interval_rows_per_s\":%.0f}\n", label, first + kChunk,
                  100000 / seconds(interval));
      std::fflush(stdout);
      interval = {};
    }
  }
  sqlite3_finalize(st);
  std::printf(
      "{\"step\":\"%s\",\"rows\":%ld,\"changed\":%ld,\"s\":%.2f,\"cpu_s\":%.2f,\"rows_per_s\":%.0f,"
      "\"rows_per_cpu_s\":%.0f,\"written_MB\":%.1f,\"db_MB\":%.1f}\n",
      label, items, changed, seconds(total), cpu, items / seconds(total), items / cpu,
      (thread_written_bytes() - written_before) / 1e6, bytes_of(path) / 1e6);
  std::fflush(stdout);
  return items / seconds(total);
}

// The PostgreSQL limit: a bare table on the same server, the same rows and transactions.
// `rows_per_statement` 1: one prepared INSERT per row (sqlite_bench's shape); 1,000: the
// chunk in one INSERT of unnest()ed arrays, the fewest round trips a client can make.
class PlainPostgres {
 public:
  explicit PlainPostgres(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) die("connect", PQerrorMessage(conn_));
    run("DROP TABLE IF EXISTS plain_items");
    run("CREATE TABLE plain_items(id text PRIMARY KEY, feed_id integer, title text, link text, "
        "published bigint, body text)");
  }
  PlainPostgres(const PlainPostgres&) = delete;
  PlainPostgres& operator=(const PlainPostgres&) = delete;
  ~PlainPostgres() { PQfinish(conn_); }

  double insert(const std::vector<std::string>& words, unsigned long long seed, double dups, long items,
                bool ignore_existing, int rows_per_statement, const char* label) {
    const std::string conflict = ignore_existing ? " ON CONFLICT DO NOTHING" : "";
    const std::string sql =
        rows_per_statement == 1
            ? "INSERT INTO plain_items VALUES($1, $2::integer, $3, $4, $5::bigint, $6)" + conflict
            : "INSERT INTO plain_items SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], "
              "$4::text[], $5::bigint[], $6::text[])" +
                  conflict;
    const std::string name = std::string(label);
    check(PQprepare(conn_, name.c_str(), sql.c_str(), 6, nullptr), PGRES_COMMAND_OK, "prepare");
    Generator gen(words, seed, dups);
    Clock::duration total{};
    Clock::duration interval{};
    double cpu = 0;
    long changed = 0;
    for (long first = 0; first < items; first += kChunk) {
      const auto rows = gen.chunk(first);
      const auto t0 = Clock::now();
      const double c0 = cpu_seconds();
      run("BEGIN");
      if (rows_per_statement == 1) {
        for (const auto& r : rows) {
          const std::string feed = std::to_string(r.feed);
          const std::string published = std::to_string(r.published);
          changed += execute(name, {r.id, feed, r.title, r.link, published, r.body});
        }
      } else {
        std::vector<std::string> columns(6, "{");
        for (const auto& r : rows) {
          const std::string fields[6] = {r.id,   std::to_string(r.feed),      r.title,
                                         r.link, std::to_string(r.published), r.body};
          for (std::size_t c = 0; c < 6; ++c) {
            if (columns[c].size() > 1) columns[c] += ',';
            append_array_element(columns[c], fields[c]);
          }
        }
        for (auto& column : columns) column += '}';
        changed += execute(name, columns);
      }
      run("COMMIT");
      const auto dt = Clock::now() - t0;
      cpu += cpu_seconds() - c0;
      total += dt;
      interval += dt;
      if ((first + kChunk) % 100000 == 0) {
        std::printf("{\"step\":\"%s\",\"rows_done\":%ld,\"interval_rows_per_s\":%.0f}\n", label,
                    first + kChunk, 100000 / seconds(interval));
        std::fflush(stdout);
        interval = {};
      }
    }
    std::printf(
        "{\"step\":\"%s\",\"rows\":%ld,\"changed\":%ld,\"s\":%.2f,\"client_cpu_s\":%.2f,\"rows_per_s\":%.0f,"
        "\"table_MB\":%.1f}\n",
        label, items, changed, seconds(total), cpu, items / seconds(total), table_bytes() / 1e6);
    std::fflush(stdout);
    return items / seconds(total);
  }

  void truncate() { run("TRUNCATE plain_items"); }

  double database_bytes() { return scalar("SELECT pg_database_size(current_database())"); }

 private:
  static void append_array_element(std::string& array, const std::string& value) {
    array += '"';
    for (const char c : value) {
      if (c == '"' || c == '\\') array += '\\';
      array += c;
    }
    array += '"';
  }
  void check(PGresult* result, ExecStatusType expected, const char* what) {
    const bool ok = PQresultStatus(result) == expected;
    PQclear(result);
    if (!ok) die(what, PQerrorMessage(conn_));
  }
  void run(const char* sql) { check(PQexec(conn_, sql), PGRES_COMMAND_OK, sql); }
  long execute(const std::string& name, const std::vector<std::string>& values) {
    const char* params[6];
    for (std::size_t i = 0; i < 6; ++i) params[i] = values[i].c_str();
    PGresult* result = PQexecPrepared(conn_, name.c_str(), 6, params, nullptr, nullptr, 0);
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
      PQclear(result);
      die(name.c_str(), PQerrorMessage(conn_));
    }
    const long affected = std::atol(PQcmdTuples(result));
    PQclear(result);
    return affected;
  }
  double scalar(const char* sql) {
    PGresult* result = PQexec(conn_, sql);
    if (PQresultStatus(result) != PGRES_TUPLES_OK) die(sql, PQerrorMessage(conn_));
    const double value = std::atof(PQgetvalue(result, 0, 0));
    PQclear(result);
    return value;
  }
  double table_bytes() { return scalar("SELECT pg_total_relation_size('plain_items')"); }

  PGconn* conn_;
};

struct Phase {
  double rate = 0;
  tinhop::storage::IngestCounts counts;
};

Phase ingest_all(tinhop::storage::Store& store, const std::vector<std::string>& words,
                 unsigned long long seed, double dups, long items, const char* label,
                 const std::vector<std::int64_t>& source_ids, const std::function<double()>& db_bytes) {
  Generator gen(words, seed, dups);
  Clock::duration total{};
  Clock::duration interval{};
  Phase phase;
  double cpu = 0;
  double writer_cpu = 0;
  long long writer_bytes = 0;
  const auto now = tinhop::Instant{std::chrono::seconds{1720000000}};
  for (long first = 0; first < items; first += kChunk) {
    const auto rows = gen.chunk(first);
    std::map<int, tinhop::Feed> feeds;
    for (const auto& r : rows) {
      tinhop::Item item;
      item.id = r.id;
      item.link = r.link;
      item.title = r.title;
      item.summary = r.body;
      item.published = tinhop::Instant{std::chrono::seconds{r.published}};
      feeds[r.feed].items.push_back(std::move(item));
    }
    std::vector<tinhop::storage::IngestRequest> requests;
    for (const auto& [feed, f] : feeds) {
      requests.push_back({source_ids[static_cast<std::size_t>(feed)], &f, now});
    }
    const auto t0 = Clock::now();
    const double c0 = cpu_seconds();
    const double w0 = thread_cpu_seconds();
    const long long b0 = thread_written_bytes();
    auto counts = store.ingest_batch(requests);
    const auto dt = Clock::now() - t0;
    cpu += cpu_seconds() - c0;
    writer_cpu += thread_cpu_seconds() - w0;
    writer_bytes += thread_written_bytes() - b0;
    if (!counts) die(label, counts.error().message);
    for (const auto& c : *counts) phase.counts += c;
    total += dt;
    interval += dt;
    if ((first + kChunk) % 100000 == 0) {
      std::printf("{\"step\":\"%s\",\"items_done\":%ld,\"interval_items_per_s\":%.0f}\n", label,
                  first + kChunk, 100000 / seconds(interval));
      std::fflush(stdout);
      interval = {};
    }
  }
  phase.rate = items / seconds(total);
  const auto& c = phase.counts;
  std::printf(
      "{\"step\":\"%s\",\"items\":%ld,\"added\":%lld,\"clustered\":%lld,\"unchanged\":%lld,\"s\":%.2f,"
      "\"cpu_s\":%.2f,\"writer_cpu_s\":%.2f,\"writer_written_MB\":%.1f,\"items_per_s\":%.0f,\"items_per_cpu_"
      "s\":%.0f,\"db_MB\":%.1f}\n",
      label, items, static_cast<long long>(c.added), static_cast<long long>(c.clustered),
      static_cast<long long>(c.unchanged), seconds(total), cpu, writer_cpu, writer_bytes / 1e6, phase.rate,
      items / cpu, db_bytes() / 1e6);
  std::fflush(stdout);
  return phase;
}

double median_ms(const std::function<void()>& f, int runs) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    f();
    ms.push_back(seconds(Clock::now() - t0) * 1000);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

long rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6)) / 1024;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: ingest_bench DIR WORDS_FILE [--items N] [--seed S] [--dup-share F] "
                 "[--skip-baseline] [--queries-only] [--cache-kib K] [--database URL]\n");
    return 2;
  }
  const fs::path dir = argv[1];
  long items = 1000000;
  unsigned long long seed = 42;
  double dups = 0.2;
  bool skip_baseline = false;
  bool queries_only = false;  // reuse DIR/tinhop.db from an earlier run, measure the read side
  // The store's page cache; `tinhop serve` opens its writer with 2048 (see cmd_serve.cpp).
  std::optional<long> cache_kib;
  std::string database;  // a postgresql:// URL: the store and the limit on that server
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--items" && i + 1 < argc) {
      items = std::atol(argv[++i]);
    } else if (a == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--dup-share" && i + 1 < argc) {
      dups = std::atof(argv[++i]);
    } else if (a == "--cache-kib" && i + 1 < argc) {
      cache_kib = std::atol(argv[++i]);
    } else if (a == "--database" && i + 1 < argc) {
      database = argv[++i];
    } else if (a == "--skip-baseline") {
      skip_baseline = true;
    } else if (a == "--queries-only") {
      queries_only = skip_baseline = true;
    } else {
      std::fprintf(stderr, "bad argument %s\n", a.c_str());
      return 2;
    }
  }
  items = std::max(kChunk, items / kChunk * kChunk);
  std::vector<std::string> words;
  {
    std::ifstream f(argv[2]);
    for (std::string l; std::getline(f, l);) {
      if (!l.empty()) words.push_back(l);
    }
  }
  if (words.empty()) die("words", "empty word list");
  fs::create_directories(dir);
  const fs::path plain = dir / "plain.db";
  const fs::path ours = dir / "tinhop.db";
  const bool postgres = !database.empty();
  for (const auto& p : {plain, ours}) {
    if (queries_only || postgres) break;
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p.string() + suffix);
  }

  double insert_rate = 0;
  double ignore_rate = 0;
  double multirow_rate = 0;
  std::unique_ptr<PlainPostgres> plain_postgres;
  if (postgres) plain_postgres = std::make_unique<PlainPostgres>(database);
  if (!skip_baseline && postgres) {
    insert_rate = plain_postgres->insert(words, seed, dups, items, false, 1, "plain_insert");
    plain_postgres->truncate();
    multirow_rate = plain_postgres->insert(words, seed, dups, items, false, kChunk, "plain_insert_multirow");
  } else if (!skip_baseline) {
    sqlite3* db = nullptr;
    if (sqlite3_open(plain.c_str(), &db) != SQLITE_OK) die("open", plain.string());
    exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    exec(db,
         "CREATE TABLE items(id TEXT PRIMARY KEY, feed_id INTEGER, title TEXT, link TEXT, published INTEGER, "
         "body TEXT)");
    insert_rate = baseline(plain, words, seed, dups, items, "INSERT INTO items VALUES(?,?,?,?,?,?)",
                           "plain_insert", db);
    sqlite3_close(db);
  }

  tinhop::storage::OpenOptions options;
  if (cache_kib) options.page_cache_kib = *cache_kib;
  auto store = tinhop::storage::Store::open(postgres ? database : ours.string(), options);
  if (!store) die("open", store.error().message);
  if (postgres && !queries_only && store->stats()->sources != 0) die("open", "the database is not empty");
  const std::function<double()> db_bytes = [&] {
    return postgres ? plain_postgres->database_bytes() : static_cast<double>(bytes_of(ours));
  };
  std::vector<std::int64_t> source_ids;
  for (int i = 0; i < kSources && queries_only; ++i) source_ids.push_back(i + 1);
  for (int i = 0; i < kSources && !queries_only; ++i) {
    tinhop::storage::SourceSettings s;
    s.url = "https://www.agency-" + std::to_string(i) + ".example/rss/" + std::to_string(i) + ".rss";
    s.categories = {"category-" + std::to_string(i % 20)};
    auto id = store->add_source(s, tinhop::Instant{std::chrono::seconds{1710000000}});
    if (!id) die("add_source", id.error().message);
    source_ids.push_back(*id);
  }
  Phase fresh;
  Phase again;
  if (!queries_only) {
    fresh = ingest_all(*store, words, seed, dups, items, "tinhop_ingest_new", source_ids, db_bytes);
    again = ingest_all(*store, words, seed, dups, items, "tinhop_reingest_same", source_ids, db_bytes);
  }

  if (!skip_baseline && postgres) {
    ignore_rate =
        plain_postgres->insert(words, seed, dups, items, true, 1, "plain_insert_on_conflict_do_nothing_dups");
  } else if (!skip_baseline) {
    sqlite3* db = nullptr;
    if (sqlite3_open(plain.c_str(), &db) != SQLITE_OK) die("open", plain.string());
    exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    ignore_rate = baseline(plain, words, seed, dups, items, "INSERT OR IGNORE INTO items VALUES(?,?,?,?,?,?)",
                           "plain_insert_or_ignore_dups", db);
    sqlite3_close(db);
  }

  // Read side.
  using tinhop::storage::ClusterQuery;
  auto run = [&](ClusterQuery q) {
    auto page = store->latest_clusters(q);
    if (!page || page->clusters.empty()) die("query", page ? "no clusters" : page.error().message);
  };
  ClusterQuery latest;
  latest.limit = 100;
  ClusterQuery by_source = latest;
  by_source.source_id = source_ids[7];
  ClusterQuery by_category = latest;
  by_category.category = "category-3";
  ClusterQuery search = latest;
  search.search = "gia vang";
  ClusterQuery second_page = latest;
  second_page.before = store->latest_clusters(latest)->next;
  std::printf(
      "{\"step\":\"queries\",\"latest100_median_ms\":%.2f,\"latest100_page2_median_ms\":%.2f,"
      "\"source100_median_ms\":%.2f,\"category100_median_ms\":%.2f,\"search100_gia_vang_median_ms\":%.2f}\n",
      median_ms([&] { run(latest); }, 51), median_ms([&] { run(second_page); }, 51),
      median_ms([&] { run(by_source); }, 51), median_ms([&] { run(by_category); }, 51),
      median_ms([&] { run(search); }, 11));
  // Views and top stories (docs/views.md) at the end of the generated time line.
  using tinhop::storage::StoryFilter;
  const tinhop::Instant newest{std::chrono::seconds{1710000000LL + items * 8}};
  ClusterQuery view_shared = latest;
  view_shared.filter = StoryFilter();
  view_shared.filter->categories = {"category-3", "category-4"};
  view_shared.filter->min_publishers = 2;
  ClusterQuery view_recent = latest;
  view_recent.filter = StoryFilter();
  view_recent.filter->since = newest - std::chrono::hours(48);
  tinhop::storage::TopQuery top;
  top.now = newest;
  top.limit = 30;
  std::printf(
      "{\"step\":\"views\",\"view_categories_min2_100_median_ms\":%.2f,\"view_48h_100_median_ms\":%.2f,"
      "\"top30_48h_median_ms\":%.2f}\n",
      median_ms([&] { run(view_shared); }, 11), median_ms([&] { run(view_recent); }, 11),
      median_ms(
          [&] {
            if (!store->top_stories(top)) die("top", "failed");
          },
          11));
  std::printf(
      "{\"step\":\"summary\",\"tinhop_new_items_per_s\":%.0f,\"plain_insert_rows_per_s\":%.0f,"
      "\"new_vs_insert\":%.2f,\"tinhop_reingest_items_per_s\":%.0f,\"plain_insert_or_ignore_rows_per_s\":%."
      "0f,"
      "\"reingest_vs_insert_or_ignore\":%.2f,\"plain_insert_multirow_rows_per_s\":%.0f,\"new_vs_multirow\":%."
      "2f,"
      "\"backend\":\"%s\",\"peak_rss_MB\":%ld}\n",
      fresh.rate, insert_rate, insert_rate > 0 ? fresh.rate / insert_rate : 0.0, again.rate, ignore_rate,
      ignore_rate > 0 ? again.rate / ignore_rate : 0.0, multirow_rate,
      multirow_rate > 0 ? fresh.rate / multirow_rate : 0.0, postgres ? "postgresql" : "sqlite", rss_mb());
  return 0;
}
