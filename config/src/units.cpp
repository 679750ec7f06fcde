#include "tinhop/config/units.hpp"

#include <cctype>
#include <charconv>

namespace tinhop::config {

namespace {

constexpr std::int64_t max_seconds = 100LL * 366 * 24 * 3600;
constexpr std::uint64_t max_bytes = 1ULL << 40;

// Reads leading digits into `value`; false when there are none or they overflow.
bool read_number(std::string_view& text, std::uint64_t& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end == text.data()) return false;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return true;
}

std::optional<std::int64_t> unit_seconds(char unit) {
  switch (unit) {
    case 's': return 1;
    case 'm': return 60;
    case 'h': return 3600;
    case 'd': return 86400;
    case 'w': return 7 * 86400;
    default: return std::nullopt;
  }
}

}  // namespace

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t number = 0;
  std::string_view rest = text;
  if (!read_number(rest, number)) return std::nullopt;
  if (rest.empty()) {
    if (number > static_cast<std::uint64_t>(max_seconds)) return std::nullopt;
    return std::chrono::seconds(static_cast<std::int64_t>(number));
  }
  // Units must appear from largest to smallest, each once: "1h30m", not "30m1h".
  std::int64_t total = 0;
  std::int64_t previous_unit = max_seconds;
  for (;;) {
    if (rest.empty()) return std::nullopt;
    auto unit = unit_seconds(rest.front());
    if (!unit || *unit >= previous_unit) return std::nullopt;
    rest.remove_prefix(1);
    if (number > static_cast<std::uint64_t>(max_seconds / *unit)) return std::nullopt;
    total += static_cast<std::int64_t>(number) * *unit;
    if (total > max_seconds) return std::nullopt;
    previous_unit = *unit;
    if (rest.empty()) return std::chrono::seconds(total);
    if (!read_number(rest, number)) return std::nullopt;
  }
}

std::string format_duration(std::chrono::seconds duration) {
  std::int64_t left = duration.count();
  if (left <= 0) return "0s";
  std::string out;
  for (char unit : {'d', 'h', 'm', 's'}) {
    std::int64_t size = *unit_seconds(unit);
    if (left >= size) {
      out += std::to_string(left / size);
      out += unit;
      left %= size;
    }
  }
  return out;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t number = 0;
  std::string_view rest = text;
  if (!read_number(rest, number)) return std::nullopt;
  std::uint64_t scale = 1;
  if (!rest.empty()) {
    switch (rest.front()) {
      case 'K': scale = 1ULL << 10; break;
      case 'M': scale = 1ULL << 20; break;
      case 'G': scale = 1ULL << 30; break;
      case 'B': scale = 1; break;
      default: return std::nullopt;
    }
    if (rest.front() == 'B') {
      rest.remove_prefix(1);
    } else {
      rest.remove_prefix(1);
      if (rest == "iB" || rest == "B") rest = {};
    }
    if (!rest.empty()) return std::nullopt;
  }
  if (number > max_bytes / scale) return std::nullopt;
  return number * scale;
}

}  // namespace tinhop::config
