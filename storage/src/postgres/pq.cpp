#include "pq.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <memory>

namespace tinhop::storage::pg {
namespace {

// SQLSTATE classes (PostgreSQL's appendix A) as the store's error codes.
Errc classify(const char* sqlstate) {
  const std::string_view state = sqlstate != nullptr ? sqlstate : "";
  if (state.starts_with("08") || state.starts_with("53") || state.starts_with("57P")) return Errc::io;
  if (state == "40001" || state == "40P01" || state == "55P03" || state == "57014") return Errc::busy;
  if (state.starts_with("22")) return Errc::invalid_argument;
  if (state.starts_with("XX")) return Errc::corrupt;
  return Errc::internal;
}

std::string first_line(const char* message) {
  std::string text = message != nullptr ? message : "";
  if (const auto end = text.find('\n'); end != std::string::npos) text.resize(end);
  return text;
}

[[noreturn]] void fail(pg_conn* conn, pg_result* result, std::string_view context) {
  const char* sqlstate = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  Errc code = classify(sqlstate);
  if (sqlstate == nullptr && PQstatus(conn) == CONNECTION_BAD) code = Errc::io;
  std::string message = std::string(context) + ": " +
                        first_line(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn));
  PQclear(result);
  throw sql::SqlFailure{Error{code, std::move(message)}};
}

pg_result* checked(pg_conn* conn, pg_result* result, std::string_view context) {
  const auto status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(conn, result, context);
  return result;
}

// libpq prints server notices (NOTICE: extension exists ...) to stderr by default; only
// daemon/ speaks.
void ignore_notice(void*, const char*) {}

std::int64_t parse_int64(const char* text) {
  std::int64_t value = 0;
  const char* end = text + std::char_traits<char>::length(text);
  if (std::from_chars(text, end, value).ec != std::errc{}) {
    throw sql::SqlFailure{Error{Errc::internal, std::string("not an integer from the database: ") + text}};
  }
  return value;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

}  // namespace

std::string describe(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return "an unreadable PostgreSQL connection string";
  }
  std::string host, port, dbname, user;
  for (auto* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    const std::string_view key = option->keyword;
    if (key == "host" || key == "hostaddr") host = option->val;
    if (key == "port") port = option->val;
    if (key == "dbname") dbname = option->val;
    if (key == "user") user = option->val;
  }
  PQconninfoFree(options);
  std::string text = "postgresql://";
  if (!user.empty()) text += user + "@";
  text += host.starts_with('/') ? "" : host;
  if (!port.empty()) text += ":" + port;
  text += "/" + dbname;
  if (host.starts_with('/')) text += "?host=" + host;
  return text;
}

Params& Params::push(std::optional<std::string> value, int format) {
  if (format != 0 && formats_.size() < values_.size()) formats_.resize(values_.size(), 0);
  if (format != 0 || !formats_.empty()) formats_.push_back(format);
  values_.push_back(std::move(value));
  return *this;
}
Params& Params::add_binary(std::string value) {
  return push(std::move(value), 1);
}
std::vector<int> Params::lengths() const {
  std::vector<int> out;
  if (formats_.empty()) return out;
  out.reserve(values_.size());
  for (const auto& value : values_) out.push_back(value ? static_cast<int>(value->size()) : 0);
  return out;
}
Params& Params::add(std::int64_t value) {
  return push(std::to_string(value));
}
Params& Params::add(bool value) {
  return push(value ? "t" : "f");
}
Params& Params::add(double value) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  return push(std::string(buffer, end));
}
Params& Params::add(std::string_view text) {
  std::string value(text);
  std::erase(value, '\0');  // see Params: PostgreSQL's text cannot hold NUL
  return push(std::move(value));
}
Params& Params::add_bytes(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex = "\\x";
  hex.reserve(2 + 2 * bytes.size());
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    hex += kDigits[byte >> 4U];
    hex += kDigits[byte & 15U];
  }
  return push(std::move(hex));
}
Params& Params::add_null() {
  return push(std::nullopt);
}
std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& value : values_) out.push_back(value ? value->c_str() : nullptr);
  return out;
}

void put_big_endian(std::string& out, std::size_t at, std::uint64_t value, std::size_t bytes) {
  if (out.size() < at + bytes) out.resize(at + bytes);
  for (std::size_t i = 0; i < bytes; ++i)
    out[at + i] = static_cast<char>((value >> (8 * (bytes - 1 - i))) & 0xFFU);
}

namespace {

// array_recv's header for one dimension: dimensions, has-null flag, element type, length,
// lower bound.
constexpr std::size_t kArrayHeader = 20;

}  // namespace

BinaryArray::BinaryArray(Element type) : type_(type), out_(kArrayHeader, '\0') {}

std::string& BinaryArray::element(std::size_t size) {
  put_big_endian(out_, out_.size(), size, 4);
  ++count_;
  return out_;
}

BinaryArray& BinaryArray::add(std::int64_t value) {
  const std::size_t size = type_ == Element::int2 ? 2 : 8;
  if (type_ == Element::int2 && (value < INT16_MIN || value > INT16_MAX)) {
    throw sql::SqlFailure{Error{Errc::invalid_argument, "a smallint out of range: " + std::to_string(value)}};
  }
  std::string& out = element(size);
  put_big_endian(out, out.size(), static_cast<std::uint64_t>(value), size);
  return *this;
}

BinaryArray& BinaryArray::add(bool value) {
  element(1) += value ? '\1' : '\0';
  return *this;
}

BinaryArray& BinaryArray::add_text(std::string_view text) {
  const std::size_t nul = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\0'));
  std::string& out = element(text.size() - nul);
  if (nul == 0) {
    out += text;
  } else {
    for (const char c : text) {  // see Params: PostgreSQL's text cannot hold NUL
      if (c != '\0') out += c;
    }
  }
  return *this;
}

BinaryArray& BinaryArray::add_bytes(std::string_view bytes) {
  element(bytes.size()) += bytes;
  return *this;
}

BinaryArray& BinaryArray::add_null() {
  element(0xFFFFFFFFU);           // length -1
  put_big_endian(out_, 4, 1, 4);  // has nulls
  return *this;
}

std::string BinaryArray::take() {
  put_big_endian(out_, 0, 1, 4);
  put_big_endian(out_, 8, static_cast<std::uint32_t>(type_), 4);
  put_big_endian(out_, 12, count_, 4);
  put_big_endian(out_, 16, 1, 4);
  std::string out = std::move(out_);
  out_.assign(kArrayHeader, '\0');
  count_ = 0;
  return out;
}

Rows::Rows(pg_result* result) : result_(result), count_(PQntuples(result)) {}
Rows::Rows(Rows&& other) noexcept : result_(other.result_), row_(other.row_), count_(other.count_) {
  other.result_ = nullptr;
}
Rows::~Rows() {
  PQclear(result_);
}
bool Rows::next() {
  return ++row_ < count_;
}
std::int64_t Rows::affected() const {
  const char* text = PQcmdTuples(result_);
  return *text == '\0' ? 0 : parse_int64(text);
}
bool Rows::is_null(int column) const {
  return PQgetisnull(result_, row_, column) != 0;
}
std::int64_t Rows::int64(int column) const {
  return is_null(column) ? 0 : parse_int64(PQgetvalue(result_, row_, column));
}
bool Rows::boolean(int column) const {
  return !is_null(column) && *PQgetvalue(result_, row_, column) == 't';
}
double Rows::real(int column) const {
  return is_null(column) ? 0.0 : std::strtod(PQgetvalue(result_, row_, column), nullptr);
}
std::string Rows::text(int column) const {
  return std::string(PQgetvalue(result_, row_, column),
                     static_cast<std::size_t>(PQgetlength(result_, row_, column)));
}
std::optional<std::string> Rows::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}
std::optional<std::int64_t> Rows::optional_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column);
}
std::string Rows::bytes(int column) const {
  // bytea_output = hex (the default since 9.0): "\x" then two digits a byte.
  const std::string hex = text(column);
  std::string out;
  if (hex.size() < 2) return out;
  out.reserve((hex.size() - 2) / 2);
  for (std::size_t i = 2; i + 1 < hex.size(); i += 2)
    out += static_cast<char>((hex_value(hex[i]) << 4) | hex_value(hex[i + 1]));
  return out;
}

ConnectParams::ConnectParams(const std::string& conninfo,
                             std::vector<std::pair<const char*, std::string>> extra) {
  held_.reserve(extra.size() + 2);
  held_.push_back(std::to_string(kConnectTimeoutSeconds));
  keywords.push_back("connect_timeout");
  values.push_back(held_.back().c_str());
  for (auto& [keyword, value] : extra) {
    held_.push_back(std::move(value));
    keywords.push_back(keyword);
    values.push_back(held_.back().c_str());
  }
  // After the defaults: what the string says overrides them.
  held_.push_back(conninfo);
  keywords.push_back("dbname");
  values.push_back(held_.back().c_str());
  keywords.push_back(nullptr);
  values.push_back(nullptr);
}

Backoff::Clock::time_point Backoff::failed(Clock::time_point now) {
  step_ = step_ == std::chrono::milliseconds{} ? std::chrono::milliseconds(250)
                                               : std::min(step_ * 2, std::chrono::milliseconds(5000));
  next_ = now + step_;
  return next_;
}

Connection::Connection(const std::string& conninfo) : target_(describe(conninfo)) {
  const ConnectParams params(conninfo);
  conn_ = PQconnectdbParams(params.keywords.data(), params.values.data(), 1);
  if (conn_ == nullptr) throw sql::SqlFailure{Error{Errc::internal, "out of memory"}};
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = "cannot connect to " + target_ + ": " + first_line(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw sql::SqlFailure{Error{Errc::io, std::move(message)}};
  }
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  set_up_session();
  session_ready_ = true;
}
Connection::Connection(Connection&& other) noexcept
    : conn_(other.conn_),
      target_(std::move(other.target_)),
      prepared_(std::move(other.prepared_)),
      session_(std::move(other.session_)),
      in_transaction_(other.in_transaction_),
      session_ready_(other.session_ready_),
      backoff_(other.backoff_) {
  other.conn_ = nullptr;
}
Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

void Connection::set_up_session() {
  if (PQsetClientEncoding(conn_, "UTF8") != 0) fail(conn_, nullptr, "client encoding UTF8");
  for (const std::string& sql : session_)
    PQclear(checked(conn_, PQexec(conn_, sql.c_str()), "running " + sql));
}

void Connection::reconnect_if_lost() {
  if (PQstatus(conn_) != CONNECTION_BAD && session_ready_) return;
  if (in_transaction_) {
    throw sql::SqlFailure{Error{Errc::io, "the connection to " + target_ + " was lost during a transaction"}};
  }
  const auto now = Backoff::Clock::now();
  if (!backoff_.due(now)) {
    throw sql::SqlFailure{Error{Errc::io, "cannot reach " + target_ + ": " +
                                              first_line(PQerrorMessage(conn_)) +
                                              " (trying again with backoff)"}};
  }
  if (PQstatus(conn_) == CONNECTION_BAD) {
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) {
      backoff_.failed(now);
      throw sql::SqlFailure{
          Error{Errc::io, "cannot connect to " + target_ + ": " + first_line(PQerrorMessage(conn_))}};
    }
  }
  prepared_.clear();  // the server forgot them with the old session
  session_ready_ = false;
  try {
    set_up_session();
  } catch (const sql::SqlFailure&) {
    backoff_.failed(now);
    throw;
  }
  session_ready_ = true;
  backoff_.succeeded();
}

void Connection::exec_per_session(const std::string& sql) {
  exec(sql);
  session_.push_back(sql);
}

void Connection::exec(const std::string& sql) {
  reconnect_if_lost();
  PQclear(checked(conn_, PQexec(conn_, sql.c_str()), "running " + sql.substr(0, 60)));
}

Rows Connection::query(const char* sql, const Params& params) {
  reconnect_if_lost();
  auto found = prepared_.find(sql);
  if (found == prepared_.end()) {
    std::string name = "tinhop_" + std::to_string(prepared_.size() + 1);
    PQclear(checked(conn_, PQprepare(conn_, name.c_str(), sql, 0, nullptr),
                    "preparing " + std::string(sql).substr(0, 80)));
    found = prepared_.emplace(sql, std::move(name)).first;
  }
  const auto values = params.pointers();
  const auto lengths = params.lengths();
  return Rows(checked(conn_,
                      PQexecPrepared(conn_, found->second.c_str(), static_cast<int>(values.size()),
                                     values.data(), lengths.empty() ? nullptr : lengths.data(),
                                     params.formats().empty() ? nullptr : params.formats().data(), 0),
                      std::string(sql).substr(0, 80)));
}

Rows Connection::query_once(const std::string& sql, const Params& params) {
  reconnect_if_lost();
  const auto values = params.pointers();
  const auto lengths = params.lengths();
  return Rows(checked(conn_,
                      PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                   values.data(), lengths.empty() ? nullptr : lengths.data(),
                                   params.formats().empty() ? nullptr : params.formats().data(), 0),
                      sql.substr(0, 80)));
}

std::optional<std::int64_t> Connection::scalar(const char* sql, const Params& params) {
  auto rows = query(sql, params);
  if (!rows.next() || rows.is_null(0)) return std::nullopt;
  return rows.int64(0);
}

Transaction::Transaction(Connection& connection, const char* begin) : connection_(&connection) {
  connection_->exec(begin);
  connection_->in_transaction_ = true;
}
Transaction::~Transaction() {
  if (!open_) return;
  connection_->in_transaction_ = false;
  // A lost connection took its transaction with it; the next statement connects again.
  if (PQstatus(connection_->conn_) == CONNECTION_BAD) return;
  try {
    connection_->exec("ROLLBACK");
  } catch (const sql::SqlFailure&) {
    // The connection went just now; the server rolled back when it lost it.
  }
}
void Transaction::commit() {
  connection_->exec("COMMIT");
  connection_->in_transaction_ = false;
  open_ = false;
}

}  // namespace tinhop::storage::pg
