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

// The numeric date order customary for a language tag (BCP 47, as in RSS <language>,
// xml:lang or Content-Language): the short date pattern CLDR gives the tag's likely locale
// (vi: dd/MM/y, en: M/d/yy). automatic when the tag is not a known language or its
// pattern puts the year first.
DateOrder date_order_for_language(std::string_view language);

// The same for a country (ISO 3166 alpha-2, "VN"), through the likely locale of the region.
DateOrder date_order_for_region(std::string_view region);

// The same for the country of an IANA time zone (Asia/Ho_Chi_Minh: VN, dmy). automatic for
// zones of no country (UTC, Etc/GMT-7) and unknown names.
DateOrder date_order_for_time_zone(std::string_view time_zone);

// The same for the country of a URL's top-level domain (.vn: dmy). automatic for generic
// domains, including the country codes used as generic ones (.io, .co, .tv, ...).
DateOrder date_order_for_url(std::string_view url);

// How a document's all-numeric dates (02/08/2019) are read. A configured dmy or mdy wins;
// for automatic, in turn: the document's own dates (`samples`, see infer_date_order), the
// order the source's earlier documents showed (context.learned_date_order), the document's
// declared language, else context.content_language, the country of context.time_zone, the
// country of context.url's domain. For automatic, basis none when no sample is an
// all-numeric date; undecided when nothing decides.
DateOrderDecision decide_date_order(const std::vector<std::string_view>& samples, const ParseContext& context,
                                    std::string_view document_language);

// A date more than this far beyond the fetch time is flagged, not trusted.
inline constexpr std::chrono::hours future_tolerance{48};

}  // namespace tinhop
