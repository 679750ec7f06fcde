// Relative dates as listing pages print them: "vừa xong", "5 phút trước", "25 ngày
// trước", "cách đây 2 giờ", "3 days ago". They are read against DateContext::now in the
// source's zone (a day back is the same wall time one calendar day earlier, so DST days
// are 23 or 25 hours long) and always marked approximate.
#include <array>

#include "date_internal.hpp"

namespace tinhop::date_detail {
namespace {

using Kind = Token::Kind;

enum class Unit { second, minute, hour, day, week, month, year };

struct UnitName {
  std::string_view name;
  Unit unit;
};

constexpr std::array<UnitName, 27> unit_names{{
    {"giay", Unit::second},  {"second", Unit::second}, {"seconds", Unit::second}, {"sec", Unit::second},
    {"secs", Unit::second},  {"phut", Unit::minute},   {"minute", Unit::minute},  {"minutes", Unit::minute},
    {"min", Unit::minute},   {"mins", Unit::minute},   {"gio", Unit::hour},       {"tieng", Unit::hour},
    {"hour", Unit::hour},    {"hours", Unit::hour},    {"hr", Unit::hour},        {"hrs", Unit::hour},
    {"ngay", Unit::day},     {"day", Unit::day},       {"days", Unit::day},       {"tuan", Unit::week},
    {"week", Unit::week},    {"weeks", Unit::week},    {"thang", Unit::month},    {"month", Unit::month},
    {"months", Unit::month}, {"nam", Unit::year},      {"year", Unit::year},
}};

// Beyond this a "time ago" is noise, not a date (and months/years could leave the calendar).
constexpr std::int64_t max_amount = 10000;

std::optional<Unit> unit_of(const Token& token) {
  if (token.kind != Kind::word) return std::nullopt;
  for (const auto& entry : unit_names) {
    if (entry.name == token.text) return entry.unit;
  }
  if (token.text == "years") return Unit::year;
  return std::nullopt;
}

bool is_word(const std::vector<Token>& tokens, std::size_t i, std::string_view text) {
  return i < tokens.size() && tokens[i].kind == Kind::word && tokens[i].text == text;
}

std::optional<Instant> go_back(Instant now, std::int64_t amount, Unit unit, std::string_view zone) {
  using namespace std::chrono;
  switch (unit) {
    case Unit::second: return now - seconds{amount};
    case Unit::minute: return now - minutes{amount};
    case Unit::hour: return now - hours{amount};
    default: break;
  }
  const auto local = to_local(now, zone);
  if (!local) return std::nullopt;
  const auto day = floor<days>(*local);
  const auto clock = *local - day;
  year_month_day date{day};
  if (unit == Unit::day) date = year_month_day{day - days{amount}};
  if (unit == Unit::week) date = year_month_day{day - days{7 * amount}};
  if (unit == Unit::month) date = date - months{amount};
  if (unit == Unit::year) date = date - years{amount};
  if (!date.ok()) date = date.year() / date.month() / last;  // 31 March minus a month: 28/29 February
  if (!date.year().ok() || static_cast<int>(date.year()) < 1) return std::nullopt;
  return from_local(local_days{date} + clock, zone);
}

}  // namespace

std::optional<ParsedDate> parse_time_ago(const std::vector<Token>& tokens, const DateContext& context) {
  if (tokens.empty() || context.now == Instant{}) return std::nullopt;  // no reference: not understood
  const std::size_t n = tokens.size();
  if ((n == 2 && is_word(tokens, 0, "vua") && (is_word(tokens, 1, "xong") || is_word(tokens, 1, "moi"))) ||
      (n == 2 && is_word(tokens, 0, "just") && is_word(tokens, 1, "now"))) {
    return ParsedDate{context.now, false, true};
  }
  std::size_t i = 0;
  bool lead = false;  // "cách đây 2 giờ" needs no "trước"
  if (is_word(tokens, 0, "khoang") || is_word(tokens, 0, "about")) i = 1;
  if (is_word(tokens, 0, "cach") && is_word(tokens, 1, "day")) i = 2, lead = true;
  if (i + 2 > n || tokens[i].kind != Kind::number || tokens[i].value > max_amount) return std::nullopt;
  const auto unit = unit_of(tokens[i + 1]);
  if (!unit) return std::nullopt;
  std::size_t end = i + 2;
  if (is_word(tokens, end, "truoc") || is_word(tokens, end, "ago")) {
    ++end;
  } else if (!lead) {
    return std::nullopt;
  }
  if (end != n) return std::nullopt;
  const auto instant = go_back(context.now, tokens[i].value, *unit, context.time_zone);
  if (!instant) return std::nullopt;
  return ParsedDate{*instant, false, true};
}

}  // namespace tinhop::date_detail
