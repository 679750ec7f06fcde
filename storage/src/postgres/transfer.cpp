// copy_database's PostgreSQL side: rows through a cursor out, prepared INSERTs in, and the
// sequences set above the source's marks, and the copied items' search vectors built.
#include "../transfer.hpp"

#include "postgres_store.hpp"
#include "search.hpp"

namespace tinhop::storage {

namespace {

std::string select_sql(const transfer::Table& table) {
  std::string columns;
  for (const auto& column : table.columns) {
    columns += (columns.empty() ? "" : ", ") + std::string(column.name);
    if (column.kind == transfer::Kind::boolean) columns += "::int";
  }
  return "SELECT " + columns + " FROM " + table.name + " ORDER BY " + table.order;
}

// The INSERT of each table, built once: prepared statements are known by their text's address.
const char* write_sql(const transfer::Table& table) {
  static const std::vector<std::string> statements = [] {
    std::vector<std::string> all;
    for (const auto& each : transfer::tables()) {
      std::string sql =
          transfer::insert_sql(each, [](std::size_t n, transfer::Kind) { return "$" + std::to_string(n); });
      if (each.replaces_existing) {
        sql += std::string(" ON CONFLICT(") + each.order + ") DO UPDATE SET " + each.columns.back().name +
               " = excluded." + each.columns.back().name;
      }
      all.push_back(std::move(sql));
    }
    return all;
  }();
  return statements[static_cast<std::size_t>(&table - transfer::tables().data())].c_str();
}

transfer::Value read_value(const pg::Rows& rows, int column, transfer::Kind kind) {
  if (rows.is_null(column)) return std::monostate{};
  switch (kind) {
    case transfer::Kind::integer:
    case transfer::Kind::boolean: return rows.int64(column);
    case transfer::Kind::text: return rows.text(column);
    case transfer::Kind::blob: return rows.bytes(column);
  }
  return std::monostate{};
}

void add_value(pg::Params& params, const transfer::Value& value, transfer::Kind kind) {
  if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    params.add(*integer);
  } else if (const auto* bytes = std::get_if<std::string>(&value)) {
    if (kind == transfer::Kind::blob)
      params.add_bytes(*bytes);
    else
      params.add(std::string_view(*bytes));
  } else {
    params.add_null();
  }
}

}  // namespace

Result<void> PostgresStore::export_rows(
    const transfer::Table& table, std::size_t batch,
    const std::function<Result<void>(std::span<const transfer::Row>)>& sink) {
  return guarded([&] {
    pg::Transaction snapshot(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    db.exec("DECLARE tinhop_export NO SCROLL CURSOR FOR " + select_sql(table));
    const std::string fetch = "FETCH " + std::to_string(batch) + " FROM tinhop_export";
    std::vector<transfer::Row> rows;
    rows.reserve(batch);
    for (;;) {
      auto fetched = db.query_once(fetch);
      while (fetched.next()) {
        transfer::Row row;
        row.reserve(table.columns.size());
        for (std::size_t i = 0; i < table.columns.size(); ++i)
          row.push_back(read_value(fetched, static_cast<int>(i), table.columns[i].kind));
        rows.push_back(std::move(row));
      }
      if (rows.empty()) break;
      if (auto sent = sink(rows); !sent) throw sql::SqlFailure{sent.error()};
      rows.clear();
    }
    snapshot.commit();
  });
}

Result<void> PostgresStore::import_rows(const transfer::Table& table, std::span<const transfer::Row> rows) {
  return guarded([&] {
    pg::Transaction tx(db);
    const char* insert = write_sql(table);
    for (const auto& row : rows) {
      pg::Params params;
      for (std::size_t i = 0; i < table.columns.size(); ++i) add_value(params, row[i], table.columns[i].kind);
      db.query(insert, params);
    }
    tx.commit();
  });
}

Result<transfer::IdMarks> PostgresStore::id_marks() {
  return guarded([&] {
    // A sequence's last_value counts only once nextval has handed it out (is_called).
    auto mark = [&](const char* sql) { return db.scalar(sql).value_or(0); };
    return transfer::IdMarks{
        mark("SELECT greatest((SELECT coalesce(max(id), 0) FROM sources), "
             "(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM source_ids))"),
        mark("SELECT greatest((SELECT coalesce(max(id), 0) FROM items), "
             "(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM item_ids))"),
        mark("SELECT greatest((SELECT coalesce(max(id), 0) FROM clusters), "
             "(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM cluster_ids))"),
        mark("SELECT greatest((SELECT coalesce(max(id), 0) FROM fetch_history), "
             "(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM fetch_history_id_seq))")};
  });
}

Result<void> PostgresStore::finish_import(const transfer::IdMarks& marks) {
  return guarded([&] {
    pg::Transaction tx(db);
    auto set = [&](const char* sql, std::int64_t mark) {
      // setval(seq, 1, false) leaves the next id at 1 for a sequence that never handed one out.
      db.query(sql, pg::Params().add(std::max<std::int64_t>(mark, 1)).add(mark > 0));
    };
    set("SELECT setval('source_ids', $1, $2)", marks.sources);
    set("SELECT setval('item_ids', $1, $2)", marks.items);
    set("SELECT setval('cluster_ids', $1, $2)", marks.clusters);
    set("SELECT setval('fetch_history_id_seq', $1, $2)", marks.fetch_history);
    // The alert history's ids come from its own sequence; the copied rows are its marks.
    set("SELECT setval('alert_events_id_seq', $1, $2)",
        db.scalar("SELECT coalesce(max(id), 0) FROM alert_events").value_or(0));
    // Likewise the rules' sequence, from the copied rows.
    set("SELECT setval('rules_id_seq', $1, $2)",
        db.scalar("SELECT coalesce(max(id), 0) FROM rules").value_or(0));
    pg::fill_search_vectors(db, pg::SearchVectors::fill_missing);
    tx.commit();
  });
}

}  // namespace tinhop::storage
