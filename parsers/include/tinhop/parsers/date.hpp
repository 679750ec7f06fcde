// Dates as written by real feeds and pages: one table of forms, and "not understood"
// (nullopt) rather than a guess.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/parsers/model.hpp"

namespace tinhop {

// What the reader of a date knows besides the text.
struct DateContext {
  std::string time_zone = "UTC";  // IANA zone for dates written without one
  DateOrder order = DateOrder::automatic;
  Instant now{};  // reference for relative dates ("2 giờ trước") and future checks
};

struct ParsedDate {
  Instant instant;
  bool had_zone = false;     // the text named its zone or offset
  bool approximate = false;  // relative dates, or partial dates (year or month only)
};

// Parses one date string; nullopt when no form in the table matches exactly.
std::optional<ParsedDate> parse_date(std::string_view text, const DateContext& context);

// Reads `text` with one fixed layout, for a source whose dates no table form fits:
// %d day, %m month, %Y 4-digit year, %y 2-digit year, %H 24-hour, %I 12-hour, %M minute,
// %S second, %p AM/PM (also SA/CH, sáng/chiều), %b English month name, %z offset (+0700,
// +07:00, GMT+7), %% a percent sign. A space matches any run of white space (or none);
// other characters match themselves, ignoring case and diacritics. nullopt unless the
// whole text matches and names a valid instant.
std::optional<ParsedDate> parse_date_format(std::string_view text, std::string_view format,
                                            const DateContext& context);

// For DateOrder::automatic: decides day-first or month-first from all the numeric dates of
// one document (a first field above 12 means day-first, a second field above 12 or an
// AM/PM marker means month-first). Returns `fallback` when the samples do not decide.
DateOrder infer_date_order(const std::vector<std::string_view>& samples, DateOrder fallback);

// The numeric date order customary for a language tag (BCP 47, as in RSS <language> or
// xml:lang): month-first for US English, day-first for Vietnamese and most languages that
// write numeric dates day first; automatic when the tag does not say.
DateOrder date_order_for_language(std::string_view language);

// A date more than this far beyond the fetch time is flagged, not trusted.
inline constexpr std::chrono::hours future_tolerance{48};

}  // namespace tinhop
