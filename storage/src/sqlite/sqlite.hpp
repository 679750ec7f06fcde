// The one SQLite seam: a database handle, move-only prepared statements (cached per SQL
// text), and a transaction guard that rolls back unless committed. Bound parameters only.
//
// Failures travel as SqlFailure exceptions (common.hpp) up to the backend's public boundary.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "../common.hpp"
#include "tinhop/storage/store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace tinhop::storage::sql {

// Throws SqlFailure with `context` and SQLite's message when rc is an error.
void check(sqlite3* db, int rc, std::string_view context);

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQL (?1, ?2 ...). Text is copied (SQLITE_TRANSIENT)
  // unless bound with bind_static, whose bytes must outlive the next step().
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind_static(int index, std::string_view text);
  Statement& bind_static(int index, const std::string& text) {
    return bind_static(index, std::string_view(text));
  }
  Statement& bind_static(int index, const std::optional<std::string>& text) {
    return text ? bind_static(index, std::string_view(*text)) : bind_null(index);
  }
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Runs to the next row: true when a row is available, false when done.
  bool step();
  // Runs a statement that returns no rows.
  void run() {
    while (step()) {
    }
  }
  void reset();

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  bool boolean(int column) const { return int64(column) != 0; }
  double real(int column) const;
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::optional<std::int64_t> optional_int64(int column) const;
  std::string blob(int column) const;

  sqlite3_stmt* handle() const { return stmt_; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// A cached statement on loan: reset and unbound when the loan ends, so the next user
// starts clean even after an exception.
class Loan {
 public:
  explicit Loan(Statement& statement) : statement_(&statement) {}
  Loan(const Loan&) = delete;
  Loan& operator=(const Loan&) = delete;
  ~Loan();
  Statement* operator->() const { return statement_; }
  Statement& operator*() const { return *statement_; }

 private:
  Statement* statement_;
};

class Database {
 public:
  Database() = default;
  // Opens or creates `path` (":memory:" allowed); throws SqlFailure.
  Database(const std::string& path, bool read_only);
  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  void exec(const char* sql);
  // The prepared statement for `sql`, prepared once and kept for the connection's life.
  Loan statement(const char* sql);
  // A statement outside the cache (one-off queries such as migrations or EXPLAIN).
  Statement prepare(std::string_view sql);
  int changes() const;
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, std::unique_ptr<Statement>> cache_;
};

// BEGIN IMMEDIATE (the writer takes the lock up front, never fails half-way on upgrade);
// rolls back in the destructor unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Database& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Database* db_;
  bool open_ = true;
};

}  // namespace tinhop::storage::sql
