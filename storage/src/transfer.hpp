// Moving a whole database from one backend to the other (Store's copy_database): the
// tables both backends hold, column by column, in an order that keeps every foreign key
// satisfied while rows arrive. What only one backend keeps (SQLite's full-text and link
// indexes, PostgreSQL's generated search column) is rebuilt by the target from these rows.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace tinhop::storage::transfer {

enum class Kind {
  integer,
  boolean,  // SQLite's 0/1, PostgreSQL's boolean; carried as an integer 0/1
  text,
  blob,
};

struct Column {
  const char* name;
  Kind kind;
};

struct Table {
  const char* name;
  std::vector<Column> columns;
  const char* order;  // ORDER BY of the export: its primary key
  // meta's rows exist in every new database: they are overwritten rather than added.
  bool replaces_existing = false;
};

// A NULL, an integer (booleans too) or the bytes of a text or blob.
using Value = std::variant<std::monostate, std::int64_t, std::string>;
using Row = std::vector<Value>;

// Every table copied, parents before children.
const std::vector<Table>& tables();

// The highest id each sequence of ids has handed out (rows since removed included): the
// target hands out the next one above it, so no id is ever given twice across the move.
struct IdMarks {
  std::int64_t sources = 0;
  std::int64_t items = 0;
  std::int64_t clusters = 0;
  std::int64_t fetch_history = 0;
};

// "INSERT INTO t(c1, c2) VALUES(<p1>, <p2>)" with `placeholder(n)` for the n-th (1-based).
template <class Placeholder>
std::string insert_sql(const Table& table, Placeholder placeholder) {
  std::string names;
  std::string values;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    names += (i == 0 ? "" : ", ") + std::string(table.columns[i].name);
    values += (i == 0 ? "" : ", ") + placeholder(i + 1, table.columns[i].kind);
  }
  return std::string("INSERT INTO ") + table.name + "(" + names + ") VALUES(" + values + ")";
}

}  // namespace tinhop::storage::transfer
