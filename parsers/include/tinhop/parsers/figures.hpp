// The figures of a news item: the dates, amounts and percentages its headline is about
// (and the dates its lead opens with), each in a canonical form, kept in eight bytes so
// that near-duplicate detection can tell "Giá vàng sáng 15/9" from "… 14/9" although the
// two titles share every other word. Pure: no I/O, no clock.
#pragma once

#include <cstdint>
#include <string_view>

namespace tinhop {

// A small set of figure tokens. A token is a role (a date of the title, another number of
// the title, a percentage of the title, a date of the lead) and a 13-bit hash of the
// canonical value: 15/9, 15-9, 15.9.2024, 15/09/2024 and "ngày 15 tháng 9" are one date
// (day and month: the year never tells two stories of one 72-hour window apart);
// 1.234,5 and 1,234.5 one number, "500 tỷ" and "500.000 triệu" one amount; 3,5% and
// 3.5% one percentage. At most four tokens are kept, the smallest (a bottom-k sketch);
// `truncated` says there were more.
struct Figures {
  // 0: not known (a fingerprint stored before figures were kept), agrees with anything.
  // Else bits 0..59 hold four 15-bit tokens (role << 13 | hash) in ascending order, 0x7FFF
  // for none; bit 60 is set when tokens were left out; bits 61..63 are 0.
  std::uint64_t bits = 0;
  friend bool operator==(const Figures&, const Figures&) = default;
};

// The figures of `title`, and the dates of the first sentence of `lead` (a summary or a
// body's opening as plain text). Numbers glued to letters (U23, 8h30, COVID-19) and times
// of day (14:00) are codes, not figures, and are left out.
Figures figures_of(std::string_view title, std::string_view lead);

// Whether the set holds any figure (unknown figures hold none).
bool holds_figures(Figures figures);

// Whether two items' figures say they are different stories: in some role both have
// figures and neither side's are all among the other's. A republisher that trimmed a
// number (one side's set within the other's) does not contradict; another date, amount or
// percentage in the same role does. Roles that a truncated set may not hold whole are not
// compared, and unknown figures contradict nothing.
bool contradict(Figures a, Figures b);

}  // namespace tinhop
