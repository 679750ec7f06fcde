// The one libpq seam: a connection whose statements are prepared once per SQL text and
// run with bound parameters only, a row cursor over a result, and a transaction guard that
// rolls back unless committed. Failures travel as SqlFailure (common.hpp) with the server's
// SQLSTATE mapped to an Errc. A connection the server dropped (restart, network) is made
// again by the next statement outside a transaction, at most once per backoff step.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "../common.hpp"

struct pg_conn;
struct pg_result;

namespace tinhop::storage::pg {

// Parameters of one statement ($1, $2 ... in order of add), sent as text unless added in
// binary form (add_binary: BinaryArray, a search vector). PostgreSQL's text
// cannot hold NUL, which a JSON Feed's "\u0000" puts in a summary: text values, array
// literals (ArrayLiteral::text) with them, are sent without it (the publisher drops it from
// what it renders anyway), so that one such entry does not fail the batch stored with it.
class Params {
 public:
  Params& add(std::int64_t value);
  Params& add(int value) { return add(static_cast<std::int64_t>(value)); }
  Params& add(bool value);
  Params& add(double value);
  Params& add(std::string_view text);
  Params& add(const char* text) { return add(std::string_view(text)); }
  Params& add(const std::string& text) { return add(std::string_view(text)); }
  Params& add_bytes(std::string_view bytes);  // a bytea value
  // A value in the binary form of the type the statement gives it (BinaryArray, a tsvector).
  Params& add_binary(std::string value);
  Params& add_null();
  template <class T>
  Params& add(const std::optional<T>& value) {
    return value ? add(*value) : add_null();
  }

  std::size_t size() const { return values_.size(); }
  // libpq's view of the values (nullptr for NULL), valid while these Params live unchanged.
  std::vector<const char*> pointers() const;
  // Each value's length and format (0 text, 1 binary); empty when all are text.
  std::vector<int> lengths() const;
  const std::vector<int>& formats() const { return formats_; }

 private:
  Params& push(std::optional<std::string> value, int format = 0);
  std::vector<std::optional<std::string>> values_;
  std::vector<int> formats_;  // filled once a binary value is added
};

// An array parameter's text form, for `unnest($1::bigint[], ...)`: elements in order,
// NULL for an absent one.
class ArrayLiteral {
 public:
  ArrayLiteral& add(std::int64_t value) { return element(std::to_string(value)); }
  ArrayLiteral& add(bool value) { return element(value ? "t" : "f"); }
  ArrayLiteral& add(const std::optional<std::int64_t>& value) {
    return value ? add(*value) : element("NULL");
  }
  ArrayLiteral& add(const std::optional<std::string>& text) {
    return text ? add_text(*text) : element("NULL");
  }
  ArrayLiteral& add_text(std::string_view text) {
    std::string quoted = "\"";
    for (const char c : text) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    return element(quoted + '"');
  }
  // A bytea element: its hex form, whose backslash the quotes escape.
  ArrayLiteral& add_bytes(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex = "\"\\\\x";
    for (const char c : bytes) {
      const auto byte = static_cast<unsigned char>(c);
      hex += kDigits[byte >> 4U];
      hex += kDigits[byte & 15U];
    }
    return element(hex + '"');
  }
  std::string text() const { return out_ + "}"; }

 private:
  ArrayLiteral& element(std::string_view value) {
    if (out_.size() > 1) out_ += ',';
    out_ += value;
    return *this;
  }
  std::string out_ = "{";
};

// Writes `value`'s low `bytes` bytes at `at` in `out` (which grows when they go past its
// end), most significant first, as the server's binary forms have them.
void put_big_endian(std::string& out, std::size_t at, std::uint64_t value, std::size_t bytes);

// An array parameter in the server's binary form (array_recv), for `unnest($1::text[], ...)`
// of long values: the server reads each element's length instead of scanning a literal for
// quotes and escapes. Parsing the batched write's array literals took a sixth of the
// server's time for new items (issue #18, the ingest benchmark). Elements are added in the
// form of the array's element type: add(int64) for int8 and int2, add_text for text, ...
class BinaryArray {
 public:
  enum class Element : std::uint32_t {
    boolean = 16,
    bytea = 17,
    int8 = 20,
    int2 = 21,
    text = 25,
    tsvector = 3614
  };
  explicit BinaryArray(Element type);
  BinaryArray& add(std::int64_t value);  // int8, or int2 when it fits (else an error)
  BinaryArray& add(bool value);
  BinaryArray& add(const std::optional<std::int64_t>& value) { return value ? add(*value) : add_null(); }
  BinaryArray& add(const std::optional<std::string>& text) { return text ? add_text(*text) : add_null(); }
  BinaryArray& add_text(std::string_view text);    // without NUL, as Params::add
  BinaryArray& add_bytes(std::string_view bytes);  // a bytea or an element's binary form
  BinaryArray& add_null();
  // The array's binary form, for Params::add_binary (empties this one).
  std::string take();

 private:
  std::string& element(std::size_t size);
  Element type_;
  std::uint32_t count_ = 0;
  std::string out_;  // a header to be filled in by take(), then the elements
};

// The rows of one result; next() moves to the first row, then on.
class Rows {
 public:
  explicit Rows(pg_result* result);
  Rows(Rows&& other) noexcept;
  Rows& operator=(Rows&&) = delete;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  ~Rows();

  bool next();
  std::int64_t affected() const;  // rows an INSERT/UPDATE/DELETE changed

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  bool boolean(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::optional<std::int64_t> optional_int64(int column) const;
  std::string bytes(int column) const;  // a bytea value

 private:
  pg_result* result_ = nullptr;
  int row_ = -1;
  int count_ = 0;
};

// The channel every commit that changes what readers see notifies (Store::listen_for_changes).
inline constexpr std::string_view kChangesChannel = "tinhop_changes";

// How long a connection attempt may take unless the connection string says otherwise
// (libpq's own default waits for ever: an unreachable host would hold its caller for the
// system's TCP timeout, minutes).
inline constexpr int kConnectTimeoutSeconds = 10;

// A libpq connection string with kConnectTimeoutSeconds in front: the string's own
// connect_timeout, when it has one, wins. Keywords and values for PQconnectdbParams, with
// expand_dbname = 1.
struct ConnectParams {
  explicit ConnectParams(const std::string& conninfo,
                         std::vector<std::pair<const char*, std::string>> extra = {});
  std::vector<const char*> keywords;  // null-terminated
  std::vector<const char*> values;    // null-terminated
 private:
  std::vector<std::string> held_;
};

// Waits between attempts to reach a server that is away: 250 ms doubling up to 5 s.
class Backoff {
 public:
  using Clock = std::chrono::steady_clock;
  bool due(Clock::time_point now) const { return now >= next_; }
  Clock::time_point failed(Clock::time_point now);  // the next attempt's time
  void succeeded() { step_ = {}; }

 private:
  std::chrono::milliseconds step_{};
  Clock::time_point next_{};
};

class Connection {
 public:
  // Connects with a libpq connection string (URI or key=value); throws SqlFailure whose
  // message names the server without its password.
  explicit Connection(const std::string& conninfo);
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&&) = delete;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs `sql` now and again on every new connection the server's loss leads to (SET).
  void exec_per_session(const std::string& sql);
  // Runs one or more statements without parameters (migrations).
  void exec(const std::string& sql);
  // Runs `sql` (prepared on first use and kept for the connection's life) with `params`.
  Rows query(const char* sql, const Params& params = {});
  // Runs `sql` once, unprepared (EXPLAIN, one-off queries).
  Rows query_once(const std::string& sql, const Params& params = {});
  // One row's first column, or nullopt when there is no row.
  std::optional<std::int64_t> scalar(const char* sql, const Params& params = {});

 private:
  friend class Transaction;
  // A lost connection is made again here, and its session set up again, unless a
  // transaction was open on it (its statements must fail, not run outside it) or the
  // backoff says not yet; either way, a lost connection throws Errc::io.
  void reconnect_if_lost();
  void set_up_session();

  pg_conn* conn_ = nullptr;
  std::string target_;                                     // the server as describe() names it
  std::unordered_map<const char*, std::string> prepared_;  // SQL text -> statement name
  std::vector<std::string> session_;                       // exec_per_session's statements
  bool in_transaction_ = false;
  bool session_ready_ = false;  // session_ ran on this connection
  Backoff backoff_;
};

// BEGIN (or `begin`, e.g. a read-only snapshot); rolls back in the destructor unless
// commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Connection& connection, const char* begin = "BEGIN");
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Connection* connection_;
  bool open_ = true;
};

// A connection string's target for messages: host, port, database and user, never the
// password.
std::string describe(const std::string& conninfo);

}  // namespace tinhop::storage::pg
