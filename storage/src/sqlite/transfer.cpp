// copy_database's SQLite side. Items also enter the link index and the full-text index
// (which PostgreSQL derives from the row itself); ids continue above id_high_water.
#include "../transfer.hpp"

#include "store_impl.hpp"

namespace tinhop::storage {

namespace {

std::string select_sql(const transfer::Table& table) {
  std::string columns;
  for (const auto& column : table.columns)
    columns += (columns.empty() ? "" : ", ") + std::string(column.name);
  return "SELECT " + columns + " FROM " + table.name + " ORDER BY " + table.order;
}

std::string write_sql(const transfer::Table& table) {
  std::string sql =
      transfer::insert_sql(table, [](std::size_t n, transfer::Kind) { return "?" + std::to_string(n); });
  if (table.replaces_existing) {
    sql += std::string(" ON CONFLICT(") + table.order + ") DO UPDATE SET " + table.columns.back().name +
           " = excluded." + table.columns.back().name;
  }
  return sql;
}

transfer::Value read_value(const sql::Statement& q, int column, transfer::Kind kind) {
  if (q.is_null(column)) return std::monostate{};
  switch (kind) {
    case transfer::Kind::integer:
    case transfer::Kind::boolean: return q.int64(column);
    case transfer::Kind::text: return q.text(column);
    case transfer::Kind::blob: return q.blob(column);
  }
  return std::monostate{};
}

void bind_value(sql::Statement& q, int index, const transfer::Value& value, transfer::Kind kind) {
  if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    q.bind(index, *integer);
  } else if (const auto* bytes = std::get_if<std::string>(&value)) {
    if (kind == transfer::Kind::blob)
      q.bind_blob(index, *bytes);
    else
      q.bind(index, *bytes);
  } else {
    q.bind_null(index);
  }
}

}  // namespace

Result<void> SqliteStore::export_rows(
    const transfer::Table& table, std::size_t batch,
    const std::function<Result<void>(std::span<const transfer::Row>)>& sink) {
  return guarded([&] {
    sql::Transaction snapshot(db);  // one table, one consistent read
    auto q = db.prepare(select_sql(table));
    std::vector<transfer::Row> rows;
    rows.reserve(batch);
    auto hand_over = [&] {
      if (auto sent = sink(rows); !sent) throw sql::SqlFailure{sent.error()};
      rows.clear();
    };
    while (q.step()) {
      transfer::Row row;
      row.reserve(table.columns.size());
      for (std::size_t i = 0; i < table.columns.size(); ++i)
        row.push_back(read_value(q, static_cast<int>(i), table.columns[i].kind));
      rows.push_back(std::move(row));
      if (rows.size() == batch) hand_over();
    }
    if (!rows.empty()) hand_over();
  });
}

Result<void> SqliteStore::import_rows(const transfer::Table& table, std::span<const transfer::Row> rows) {
  return guarded([&] {
    sql::Transaction tx(db);
    auto insert = db.prepare(write_sql(table));
    const bool items = std::string_view(table.name) == "items";
    auto link = db.prepare("INSERT OR IGNORE INTO links(link_hash, item_id) VALUES(?1, ?2)");
    auto index = db.prepare("INSERT OR IGNORE INTO fts_pending(id) VALUES(?1)");
    for (const auto& row : rows) {
      for (std::size_t i = 0; i < table.columns.size(); ++i)
        bind_value(insert, static_cast<int>(i + 1), row[i], table.columns[i].kind);
      insert.run();
      insert.reset();
      if (!items) continue;
      // items' columns: id first, link_hash seventh (transfer.cpp).
      index.bind(1, std::get<std::int64_t>(row[0])).run();
      index.reset();
      if (const auto* hash = std::get_if<std::int64_t>(&row[6])) {
        link.bind(1, *hash).bind(2, std::get<std::int64_t>(row[0])).run();
        link.reset();
      }
    }
    if (items) flush_search_index();
    tx.commit();
  });
}

Result<transfer::IdMarks> SqliteStore::id_marks() {
  return guarded([&] {
    auto q = db.prepare("SELECT coalesce(max(id), 0) FROM fetch_history");
    q.step();
    return transfer::IdMarks{next_id(IdTable::sources) - 1, next_id(IdTable::items) - 1,
                             next_id(IdTable::clusters) - 1, q.int64(0)};
  });
}

Result<void> SqliteStore::finish_import(const transfer::IdMarks& marks) {
  return guarded([&] {
    sql::Transaction tx(db);
    auto mark = db.prepare("UPDATE id_high_water SET id = max(id, ?2) WHERE table_name = ?1");
    for (const auto& [table, id] : {std::pair{"sources", marks.sources}, std::pair{"items", marks.items},
                                    std::pair{"clusters", marks.clusters}}) {
      mark.bind(1, table).bind(2, id).run();
      mark.reset();
    }
    tx.commit();
  });
}

}  // namespace tinhop::storage
