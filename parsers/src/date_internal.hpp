// Pieces of the date module shared between its source files.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/parsers/date.hpp"

namespace tinhop::date_detail {

// Longest text worth reading as a date; anything longer is not a date field.
inline constexpr std::size_t max_date_length = 256;

// Lower-case ASCII with Vietnamese tone marks and other diacritics removed ("Thứ Ba" ->
// "thu ba", "đ" -> "d"), every kind of space (U+00A0, U+202F, tabs, ...) turned into ' '.
// A character with no ASCII reading becomes '\x01', which no form accepts.
std::optional<std::string> fold(std::string_view text);

// Calendar and clock fields as written, before the zone is applied.
struct Fields {
  int year = 0;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  std::optional<int> offset_seconds;  // written offset east of UTC; nullopt: read in the zone
  bool approximate = false;
};

// The instant the fields name: the written offset when there is one, else the wall time
// in `zone`. nullopt for an impossible calendar date or an unknown zone.
std::optional<Instant> to_instant(const Fields& fields, std::string_view zone);

// Wall time in `zone` at `instant` (a DST zone moves it by its offset at that instant).
std::optional<std::chrono::local_seconds> to_local(Instant instant, std::string_view zone);

// The instant at wall time `local` in `zone`. A wall time skipped by a DST change is read
// with the offset before the change; a repeated one takes its first occurrence.
std::optional<Instant> from_local(std::chrono::local_seconds local, std::string_view zone);

// One lexical piece of a folded date string.
struct Token {
  enum class Kind { number, word, punct };
  Kind kind = Kind::punct;
  std::string_view text;
  std::int64_t value = 0;     // numbers only
  bool space_before = false;  // white space separates it from the previous token
};

// Splits folded text into tokens; nullopt on a character no form uses.
std::optional<std::vector<Token>> tokenize(std::string_view folded);

// The textual forms (RFC 822 family, numeric day-first/month-first, English and
// Vietnamese words, "hôm nay 10:30"); see date_text.cpp.
std::optional<ParsedDate> parse_textual(const std::vector<Token>& tokens, const DateContext& context);

// "5 phút trước", "vừa xong", "3 days ago"; see date_relative.cpp.
std::optional<ParsedDate> parse_time_ago(const std::vector<Token>& tokens, const DateContext& context);

// 1..12 for an English month name or abbreviation ("sep", "september"), after folding.
std::optional<int> month_from_name(std::string_view word);

// What one numeric date (a/b/year) says about day/month order, used by both the parser
// and infer_date_order.
enum class OrderVote { none, dmy, mdy };
OrderVote vote_from_values(std::int64_t first, std::int64_t second);

// Scans tokens for the evidence infer_date_order counts.
struct OrderEvidence {
  bool numeric = false;                // holds an all-numeric d/m/y date at all
  OrderVote values = OrderVote::none;  // from the first all-numeric d/m/y date
  bool meridiem = false;               // AM/PM (month-first CMS output)
  bool vietnamese = false;             // Vietnamese date words (day-first)
};
OrderEvidence order_evidence(const std::vector<Token>& tokens);

// 2-digit years: 00-49 are 20xx, 50-99 are 19xx (RFC 5322 section 4.3).
inline int expand_year(std::int64_t value, std::size_t digits) {
  if (digits > 2) return static_cast<int>(value);
  return static_cast<int>(value < 50 ? 2000 + value : 1900 + value);
}

}  // namespace tinhop::date_detail
