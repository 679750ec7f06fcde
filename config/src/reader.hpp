// Typed reads from a toml++ table that record a Diagnostic, with the line, for every
// wrong type, out-of-range value or unknown key instead of stopping at the first.
#pragma once

#include <toml++/toml.h>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/config/config.hpp"

namespace tinhop::config::detail {

class Reader {
 public:
  Reader(std::string file, std::vector<Diagnostic>& out) : file_(std::move(file)), out_(out) {}

  void error(std::uint32_t line, std::string key, std::string message);
  void warning(std::uint32_t line, std::string key, std::string message);
  std::size_t error_count() const { return errors_; }

  // Reports every key of `table` not in `known` (with a suggestion when close to one).
  void reject_unknown(const toml::table& table, const std::string& prefix,
                      const std::vector<std::string_view>& known);

  // Each read leaves `out` unchanged when the key is absent or wrong, and reports the latter.
  // `prefix` is the table's dotted path ("fetch", "source[2]"), "" for the root.
  void read(const toml::table& t, std::string_view key, const std::string& prefix, std::string& out);
  void read(const toml::table& t, std::string_view key, const std::string& prefix, bool& out);
  void read(const toml::table& t, std::string_view key, const std::string& prefix, std::uint32_t& out,
            std::uint32_t min, std::uint32_t max);
  void read(const toml::table& t, std::string_view key, const std::string& prefix, double& out, double min,
            double max);
  void read_duration(const toml::table& t, std::string_view key, const std::string& prefix,
                     std::optional<std::chrono::seconds>& out, std::chrono::seconds min,
                     std::chrono::seconds max);
  void read_size(const toml::table& t, std::string_view key, const std::string& prefix, std::size_t& out,
                 std::size_t min, std::size_t max);
  void read(const toml::table& t, std::string_view key, const std::string& prefix, ListenAddress& out);
  // An enum by name; `parse` maps a name to a value, `names` lists the accepted ones.
  template <typename T, typename Parse>
  void read_enum(const toml::table& t, std::string_view key, const std::string& prefix, T& out, Parse parse,
                 std::string_view names) {
    std::string text;
    if (!read_string_value(t, key, prefix, text)) return;
    if (auto value = parse(text)) {
      out = *value;
    } else {
      error(line_of(t, key), join(prefix, key),
            "unknown value \"" + text + "\" (expected one of: " + std::string(names) + ")");
    }
  }

  // Line of `key` in `t`, or of `t` itself when the key is absent.
  static std::uint32_t line_of(const toml::table& t, std::string_view key);
  static std::uint32_t line_of(const toml::node& node) { return node.source().begin.line; }
  static std::string join(const std::string& prefix, std::string_view key);
  // "a string", "an integer", ...
  static std::string type_name(const toml::node& node);
  void wrong_type(const toml::node& node, const std::string& key, std::string_view expected);

 private:
  bool read_string_value(const toml::table& t, std::string_view key, const std::string& prefix,
                         std::string& out);

  std::string file_;
  std::vector<Diagnostic>& out_;
  std::size_t errors_ = 0;
};

// An array of strings appended to `out`; each element of another type is reported.
void read_string_list(Reader& r, const toml::table& t, std::string_view key, const std::string& prefix,
                      std::vector<std::string>& out);

// An array of tables (`[[name]]`, `name` its dotted path): `read_one(table, prefix, index)`
// for each table, prefix "name[index]"; the array or an element of another type reported.
template <typename ReadOne>
void read_table_array(Reader& r, const toml::node& node, const std::string& name, ReadOne read_one) {
  const toml::array* array = node.as_array();
  if (!array) return r.wrong_type(node, name, "an array of tables ([[" + name + "]])");
  std::size_t index = 0;
  for (const toml::node& element : *array) {
    const std::string prefix = name + "[" + std::to_string(index) + "]";
    if (const toml::table* table = element.as_table()) {
      read_one(*table, prefix, index);
    } else {
      r.wrong_type(element, prefix, "a table ([[" + name + "]])");
    }
    ++index;
  }
}

// The tables of an array that must differ in one key: where each key was first seen.
class FirstSeen {
 public:
  explicit FirstSeen(std::string array) : array_(std::move(array)) {}
  // nullopt the first time `key` is added; then "name[index] at line N" of its first table.
  std::optional<std::string> add(const std::string& key, std::size_t index, std::uint32_t line);

 private:
  std::string array_;
  std::map<std::string, std::pair<std::size_t, std::uint32_t>, std::less<>> first_;
};

// Reads the [[source]] array into config.sources (defined in load_sources.cpp).
void read_sources(Reader& reader, const toml::node& node, Config& config);

// One rule's table, every problem reported under `prefix` ("rule[2]", "" for a rule given
// alone); nullopt when there was one (defined in load_rules.cpp).
std::optional<FileRule> read_rule(Reader& reader, const toml::table& table, const std::string& prefix);

// Reads the [[rule]] array into config.rules (defined in load_rules.cpp).
void read_rules(Reader& reader, const toml::node& node, Config& config);

// Reads the [[views]] array into config.views and the [top] table into config.top
// (defined in load_views.cpp).
void read_views(Reader& reader, const toml::node& node, Config& config);
void read_top(Reader& reader, const toml::table& table, TopConfig& out);

// Reads the [alerts] table and its [[alerts.webhook]]s into config.alerts (defined in
// load_alerts.cpp).
void read_alerts(Reader& reader, const toml::table& table, AlertsConfig& out);

// Why `path` cannot name a secret file ("must be an absolute path..."), or "".
std::string secret_file_problem(std::string_view path);

// "host:port", "[v6]:port" or "unix:/absolute/path"; nullopt when not an IP literal with a
// port 1-65535 nor an absolute path that fits a socket address.
std::optional<ListenAddress> parse_listen(std::string_view text);

}  // namespace tinhop::config::detail
