// The date module's entry points and its ordered table of forms. Each form either reads
// the whole string or declines; the first that reads it wins, and when none does the
// answer is "not understood" (nullopt), never a guess such as "now".
#include "tinhop/parsers/date.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "date_internal.hpp"

namespace tinhop {
namespace {

using date_detail::Fields;
using date_detail::Token;

// A cursor over folded ASCII for the fixed-width ISO 8601 grammar.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool done() const { return pos_ == text_.size(); }
  bool eat(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) return ++pos_, true;
    return false;
  }
  // Exactly `count` digits.
  std::optional<int> digits(std::size_t count) {
    if (pos_ + count > text_.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const char c = text_[pos_ + i];
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    pos_ += count;
    return value;
  }
  // The text from the cursor on.
  std::string_view rest() const { return text_.substr(pos_); }
  void skip(std::size_t count) { pos_ = std::min(pos_ + count, text_.size()); }
  void skip_digits() {
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// Zone of an ISO 8601 time: Z, +07:00, +0700 or +07; false when malformed.
bool iso_zone(Cursor& in, Fields& fields) {
  if (in.done()) return true;
  in.eat(' ');
  if (in.eat('z')) {
    fields.offset_seconds = 0;
    return in.done();
  }
  const bool minus = in.eat('-');
  if (!minus && !in.eat('+')) return false;
  const auto hours = in.digits(2);
  if (!hours) return false;
  int minutes = 0;
  if (!in.done()) {
    in.eat(':');
    const auto m = in.digits(2);
    if (!m) return false;
    minutes = *m;
  }
  if (!in.done() || *hours > 14 || minutes > 59) return false;
  fields.offset_seconds = (minus ? -1 : 1) * (*hours * 3600 + minutes * 60);
  return true;
}

// RFC 3339, ISO 8601 extended format and W3CDTF, including the partial dates W3CDTF
// allows (YYYY, YYYY-MM), fractions of a second and offsets without a colon.
std::optional<ParsedDate> parse_iso(std::string_view text, const std::vector<Token>&,
                                    const DateContext& context) {
  Cursor in(text);
  Fields fields;
  const auto year = in.digits(4);
  if (!year) return std::nullopt;
  fields.year = *year;
  if (in.done()) {
    fields.approximate = true;
  } else {
    if (!in.eat('-')) return std::nullopt;
    const auto month = in.digits(2);
    if (!month) return std::nullopt;
    fields.month = *month;
    if (in.done()) {
      fields.approximate = true;
    } else {
      const auto day = in.eat('-') ? in.digits(2) : std::nullopt;
      if (!day) return std::nullopt;
      fields.day = *day;
      if (!in.done()) {
        if (!in.eat('t') && !in.eat(' ')) return std::nullopt;
        const auto hour = in.digits(2);
        const auto minute = hour && in.eat(':') ? in.digits(2) : std::nullopt;
        if (!minute) return std::nullopt;
        fields.hour = *hour, fields.minute = *minute;
        if (in.eat(':')) {
          const auto second = in.digits(2);
          if (!second) return std::nullopt;
          fields.second = *second;
          if (in.eat('.') || in.eat(',')) {
            if (!in.digits(1)) return std::nullopt;
            in.skip_digits();
          }
        }
        if (!iso_zone(in, fields)) return std::nullopt;
      }
    }
  }
  const auto instant = date_detail::to_instant(fields, context.time_zone);
  if (!instant) return std::nullopt;
  return ParsedDate{*instant, fields.offset_seconds.has_value(), fields.approximate};
}

// Unix time: 9 or 10 digits are seconds (1973..2286), 13 digits milliseconds (what
// JavaScript-built pages put in data-time). 8 digits are ISO 8601 basic YYYYMMDD.
std::optional<ParsedDate> parse_number(std::string_view, const std::vector<Token>& tokens,
                                       const DateContext& context) {
  if (tokens.size() != 1 || tokens[0].kind != Token::Kind::number) return std::nullopt;
  const Token& t = tokens[0];
  if (t.text.size() == 9 || t.text.size() == 10)
    return ParsedDate{Instant{std::chrono::seconds{t.value}}, true, false};
  if (t.text.size() == 13) return ParsedDate{Instant{std::chrono::seconds{t.value / 1000}}, true, false};
  if (t.text.size() == 8) {
    Fields fields;
    fields.year = static_cast<int>(t.value / 10000);
    fields.month = static_cast<int>(t.value / 100 % 100);
    fields.day = static_cast<int>(t.value % 100);
    const auto instant = date_detail::to_instant(fields, context.time_zone);
    if (!instant) return std::nullopt;
    return ParsedDate{*instant, false, false};
  }
  return std::nullopt;
}

std::optional<ParsedDate> parse_relative(std::string_view, const std::vector<Token>& tokens,
                                         const DateContext& context) {
  return date_detail::parse_time_ago(tokens, context);
}

std::optional<ParsedDate> parse_words(std::string_view, const std::vector<Token>& tokens,
                                      const DateContext& context) {
  return date_detail::parse_textual(tokens, context);
}

// The case-insensitive ASCII letters at `at` (a lower-case `name`).
bool letters_are(std::string_view text, std::size_t at, std::string_view name) {
  if (at + name.size() > text.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if ((text[at + i] | 0x20) != name[i]) return false;
  }
  return true;
}

// RFC 822 as feeds write it, "Sat, 02 Aug 2019 10:30:00 +0700", read without folding or
// tokens: most RSS dates are exactly this. Declines (nullopt) anything it is not sure
// of, white space around it included, leaving it to the forms below, which read the
// same fields to the same instant (tests/parsers/date_test.cpp compares the two).
std::optional<ParsedDate> parse_rfc822_exact(std::string_view text, const DateContext& context) {
  static constexpr std::array<std::string_view, 7> weekdays{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  static constexpr std::array<std::string_view, 12> months{"jan", "feb", "mar", "apr", "may", "jun",
                                                           "jul", "aug", "sep", "oct", "nov", "dec"};
  Cursor in(text);
  if (text.size() > 4 && text[3] == ',') {
    if (std::none_of(weekdays.begin(), weekdays.end(),
                     [&](std::string_view day) { return letters_are(text, 0, day); }))
      return std::nullopt;
    in.skip(4);
    if (!in.eat(' ')) return std::nullopt;
  }
  date_detail::Fields fields;
  const bool one_digit_day = in.rest().size() > 1 && in.rest()[1] == ' ';
  const auto day = in.digits(one_digit_day ? 1 : 2);
  if (!day || !in.eat(' ')) return std::nullopt;
  const auto month = std::find_if(months.begin(), months.end(),
                                  [&](std::string_view name) { return letters_are(in.rest(), 0, name); });
  if (month == months.end()) return std::nullopt;
  in.skip(3);
  const auto year = in.eat(' ') ? in.digits(4) : std::nullopt;
  if (!year || !in.eat(' ')) return std::nullopt;
  const bool one_digit_hour = in.rest().size() > 1 && in.rest()[1] == ':';
  const auto hour = in.digits(one_digit_hour ? 1 : 2);
  const auto minute = hour && in.eat(':') ? in.digits(2) : std::nullopt;
  if (!minute) return std::nullopt;
  fields.second = 0;
  if (in.eat(':')) {
    const auto second = in.digits(2);
    if (!second) return std::nullopt;
    fields.second = *second;
  }
  if (!in.eat(' ')) return std::nullopt;
  const std::string_view zone = in.rest();
  if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-')) {
    in.skip(1);
    const auto offset = in.digits(4);
    if (!offset || *offset / 100 > 14 || *offset % 100 > 59) return std::nullopt;
    fields.offset_seconds = (zone[0] == '-' ? -1 : 1) * (*offset / 100 * 3600 + *offset % 100 * 60);
  } else if ((zone.size() == 3 && (letters_are(zone, 0, "gmt") || letters_are(zone, 0, "utc"))) ||
             (zone.size() == 2 && letters_are(zone, 0, "ut")) ||
             (zone.size() == 1 && (zone[0] | 0x20) == 'z')) {
    fields.offset_seconds = 0;
  } else {
    return std::nullopt;
  }
  fields.year = *year;
  fields.month = static_cast<int>(month - months.begin()) + 1;
  fields.day = *day;
  fields.hour = *hour;
  fields.minute = *minute;
  const auto instant = date_detail::to_instant(fields, context.time_zone);
  if (!instant) return std::nullopt;
  return ParsedDate{*instant, true, false};
}

using Form = std::optional<ParsedDate> (*)(std::string_view folded, const std::vector<Token>& tokens,
                                           const DateContext& context);

// Most specific first: the fixed-width ISO grammar and bare numbers cannot be confused
// with the textual forms, and a "time ago" phrase never reads as a calendar date. ISO
// reads the folded text directly, so the commonest feed dates skip the tokenizer.
constexpr std::array<Form, 4> forms{parse_iso, parse_number, parse_relative, parse_words};

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<ParsedDate> parse_date(std::string_view text, const DateContext& context) {
  if (auto parsed = parse_rfc822_exact(text, context)) return parsed;
  const auto folded = date_detail::fold(text);
  if (!folded) return std::nullopt;
  const std::string_view trimmed = trim(*folded);
  if (trimmed.empty()) return std::nullopt;
  if (auto parsed = forms[0](trimmed, {}, context)) return parsed;
  const auto tokens = date_detail::tokenize(trimmed);
  if (!tokens) return std::nullopt;
  for (std::size_t i = 1; i < forms.size(); ++i) {
    if (auto parsed = forms[i](trimmed, *tokens, context)) return parsed;
  }
  return std::nullopt;
}

}  // namespace tinhop
