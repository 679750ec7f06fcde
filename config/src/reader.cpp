#include "reader.hpp"

#include <arpa/inet.h>
#include <sys/un.h>

#include <algorithm>
#include <charconv>

#include "suggest.hpp"
#include "tinhop/config/units.hpp"

namespace tinhop::config::detail {

void Reader::error(std::uint32_t line, std::string key, std::string message) {
  out_.push_back({Diagnostic::Severity::error, file_, line, std::move(key), std::move(message)});
  ++errors_;
}

void Reader::warning(std::uint32_t line, std::string key, std::string message) {
  out_.push_back({Diagnostic::Severity::warning, file_, line, std::move(key), std::move(message)});
}

std::uint32_t Reader::line_of(const toml::table& t, std::string_view key) {
  if (const toml::node* node = t.get(key)) return node->source().begin.line;
  return t.source().begin.line;
}

std::string Reader::join(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

std::string Reader::type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

void Reader::wrong_type(const toml::node& node, const std::string& key, std::string_view expected) {
  error(line_of(node), key, "expected " + std::string(expected) + ", got " + type_name(node));
}

void Reader::reject_unknown(const toml::table& table, const std::string& prefix,
                            const std::vector<std::string_view>& known) {
  for (const auto& [key, node] : table) {
    std::string_view name = key.str();
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    error(line_of(node), join(prefix, name), "unknown key" + did_you_mean(name, known));
  }
}

bool Reader::read_string_value(const toml::table& t, std::string_view key, const std::string& prefix,
                               std::string& out) {
  const toml::node* node = t.get(key);
  if (!node) return false;
  if (const auto* value = node->as_string()) {
    out = value->get();
    return true;
  }
  wrong_type(*node, join(prefix, key), "a string");
  return false;
}

void Reader::read(const toml::table& t, std::string_view key, const std::string& prefix, std::string& out) {
  read_string_value(t, key, prefix, out);
}

void Reader::read(const toml::table& t, std::string_view key, const std::string& prefix, bool& out) {
  const toml::node* node = t.get(key);
  if (!node) return;
  if (const auto* value = node->as_boolean()) {
    out = value->get();
  } else {
    wrong_type(*node, join(prefix, key), "a boolean (true or false)");
  }
}

void Reader::read(const toml::table& t, std::string_view key, const std::string& prefix, std::uint32_t& out,
                  std::uint32_t min, std::uint32_t max) {
  const toml::node* node = t.get(key);
  if (!node) return;
  const auto* value = node->as_integer();
  if (!value) return wrong_type(*node, join(prefix, key), "an integer");
  std::int64_t number = value->get();
  if (number < static_cast<std::int64_t>(min) || number > static_cast<std::int64_t>(max)) {
    return error(line_of(*node), join(prefix, key),
                 "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                     std::to_string(number));
  }
  out = static_cast<std::uint32_t>(number);
}

void Reader::read(const toml::table& t, std::string_view key, const std::string& prefix, double& out,
                  double min, double max) {
  const toml::node* node = t.get(key);
  if (!node) return;
  double number = 0;
  if (const auto* f = node->as_floating_point()) {
    number = f->get();
  } else if (const auto* i = node->as_integer()) {
    number = static_cast<double>(i->get());
  } else {
    return wrong_type(*node, join(prefix, key), "a number");
  }
  if (!(number >= min && number <= max)) {
    auto trim = [](std::string s) {
      if (s.find('.') != std::string::npos) {
        while (!s.empty() && s.back() == '0') s.pop_back();
        if (!s.empty() && s.back() == '.') s.pop_back();
      }
      return s;
    };
    return error(line_of(*node), join(prefix, key),
                 "must be between " + trim(std::to_string(min)) + " and " + trim(std::to_string(max)) +
                     ", got " + trim(std::to_string(number)));
  }
  out = number;
}

void Reader::read_duration(const toml::table& t, std::string_view key, const std::string& prefix,
                           std::optional<std::chrono::seconds>& out, std::chrono::seconds min,
                           std::chrono::seconds max) {
  const toml::node* node = t.get(key);
  if (!node) return;
  std::optional<std::chrono::seconds> value;
  if (const auto* i = node->as_integer()) {
    if (i->get() >= 0) value = std::chrono::seconds(i->get());
    if (!value) {
      return error(line_of(*node), join(prefix, key),
                   "must not be negative, got " + std::to_string(i->get()));
    }
  } else if (const auto* s = node->as_string()) {
    value = parse_duration(s->get());
    if (!value) {
      return error(line_of(*node), join(prefix, key),
                   "invalid duration \"" + s->get() +
                       "\" (write seconds, or a number with a unit s, m, h, d or w: \"90s\", \"15m\", "
                       "\"1h30m\")");
    }
  } else {
    return wrong_type(*node, join(prefix, key), "a duration (\"15m\" or seconds)");
  }
  if (*value < min || *value > max) {
    return error(line_of(*node), join(prefix, key),
                 "must be between " + format_duration(min) + " and " + format_duration(max) + ", got " +
                     format_duration(*value));
  }
  out = value;
}

void Reader::read_size(const toml::table& t, std::string_view key, const std::string& prefix,
                       std::size_t& out, std::size_t min, std::size_t max) {
  const toml::node* node = t.get(key);
  if (!node) return;
  std::optional<std::uint64_t> value;
  if (const auto* i = node->as_integer()) {
    if (i->get() < 0) {
      return error(line_of(*node), join(prefix, key),
                   "must not be negative, got " + std::to_string(i->get()));
    }
    value = static_cast<std::uint64_t>(i->get());
  } else if (const auto* s = node->as_string()) {
    value = parse_size(s->get());
    if (!value) {
      return error(line_of(*node), join(prefix, key),
                   "invalid size \"" + s->get() + "\" (write bytes, or a number with KiB, MiB or GiB)");
    }
  } else {
    return wrong_type(*node, join(prefix, key), "a size (\"20MiB\" or bytes)");
  }
  if (*value < min || *value > max) {
    return error(line_of(*node), join(prefix, key),
                 "must be between " + std::to_string(min) + " and " + std::to_string(max) + " bytes, got " +
                     std::to_string(*value));
  }
  out = static_cast<std::size_t>(*value);
}

void Reader::read(const toml::table& t, std::string_view key, const std::string& prefix, ListenAddress& out) {
  std::string text;
  if (!read_string_value(t, key, prefix, text)) return;
  if (auto address = parse_listen(text)) {
    out = *address;
  } else {
    std::string expected = text.rfind("unix:", 0) == 0
                               ? "expected unix:/absolute/path of at most 107 bytes"
                               : "expected IP:PORT, e.g. \"127.0.0.1:8081\" or \"[::1]:8081\"";
    error(line_of(t, key), join(prefix, key), "invalid listen address \"" + text + "\" (" + expected + ")");
  }
}

std::optional<ListenAddress> parse_listen(std::string_view text) {
  if (text.starts_with("unix:")) {
    std::string_view path = text.substr(5);
    // sun_path holds 108 bytes with the terminating NUL.
    if (path.empty() || path.front() != '/' || path.size() >= sizeof(sockaddr_un::sun_path) ||
        path.find('\0') != std::string_view::npos) {
      return std::nullopt;
    }
    return ListenAddress::unix_socket(std::string(path));
  }
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  std::string host_copy(host);
  unsigned char buffer[sizeof(in6_addr)];
  bool v4 = !bracketed && inet_pton(AF_INET, host_copy.c_str(), buffer) == 1;
  bool v6 = bracketed && inet_pton(AF_INET6, host_copy.c_str(), buffer) == 1;
  if (!v4 && !v6) return std::nullopt;
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return std::nullopt;
  }
  return ListenAddress{host_copy, static_cast<std::uint16_t>(port)};
}

std::optional<std::string> FirstSeen::add(const std::string& key, std::size_t index, std::uint32_t line) {
  auto [it, inserted] = first_.try_emplace(key, index, line);
  if (inserted) return std::nullopt;
  return array_ + "[" + std::to_string(it->second.first) + "] at line " + std::to_string(it->second.second);
}

}  // namespace tinhop::config::detail
