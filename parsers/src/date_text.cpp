// The textual date forms. A date string is read as a sequence of components, each of
// which may appear once and in any order (RFC 822 writes the weekday first and the zone
// last; Vietnamese pages write "10:00 15/09/2026" or "NGÀY 14 THÁNG 9, 2026 | 10:30"):
//
//   weekday  Mon | Tuesday | Thứ hai..Thứ bảy | Thứ 2..Thứ 7 | T2..T7 | Chủ nhật | CN
//   date     d/m/y or m/d/y (/ - .) | y/m/d | 14 Sep 2026 | Sep 14, 2026 | April 12 2016
//            | [ngày] 14 tháng 9[,] [năm] 2026 | hôm nay | hôm qua | hôm kia | today | yesterday
//   time     10:30[:00[.123]] | 10h30 | 10 giờ 30 [phút] | 6 PM, then AM/PM, a.m., SA/CH
//            and sáng/trưa/chiều/tối/đêm
//   zone     +0700 | +07:00 | +07 | -5 | GMT | UT | UTC | Z | ICT | EST..PDT | military
//            letters | GMT+7 | UTC+07:00
//   filler   , | ; ( ) - . @ lúc vào at on of ngày, and a zone name in parentheses after
//            an offset ("+0000 (UTC)")
//
// Any token that no component accepts makes the whole string "not understood".
#include <algorithm>
#include <array>

#include "date_internal.hpp"

namespace tinhop::date_detail {
namespace {

using Kind = Token::Kind;

struct Named {
  std::string_view name;
  int value;
};

constexpr std::array<Named, 24> month_names{{
    {"jan", 1},  {"january", 1},  {"feb", 2},    {"february", 2},  {"mar", 3},  {"march", 3},
    {"apr", 4},  {"april", 4},    {"may", 5},    {"jun", 6},       {"june", 6}, {"jul", 7},
    {"july", 7}, {"aug", 8},      {"august", 8}, {"sep", 9},       {"sept", 9}, {"september", 9},
    {"oct", 10}, {"october", 10}, {"nov", 11},   {"november", 11}, {"dec", 12}, {"december", 12},
}};

constexpr std::array<std::string_view, 18> english_weekdays{
    "sun",       "sunday", "mon",  "monday", "tue",      "tues", "tuesday", "wed", "weds",
    "wednesday", "thu",    "thur", "thurs",  "thursday", "fri",  "friday",  "sat", "saturday"};

// "Thứ hai" .. "Thứ bảy" after folding.
constexpr std::array<std::string_view, 6> vietnamese_day_numbers{"hai", "ba", "tu", "nam", "sau", "bay"};

// Offsets in minutes east of UTC (RFC 822 names; ICT is Indochina Time, Vietnam's zone).
constexpr std::array<Named, 13> zone_names{{
    {"gmt", 0},
    {"ut", 0},
    {"utc", 0},
    {"z", 0},
    {"ict", 420},
    {"edt", -240},
    {"est", -300},
    {"cdt", -300},
    {"cst", -360},
    {"mdt", -360},
    {"mst", -420},
    {"pdt", -420},
    {"pst", -480},
}};

template <std::size_t N>
std::optional<int> lookup(const std::array<Named, N>& table, std::string_view word) {
  for (const auto& entry : table) {
    if (entry.name == word) return entry.value;
  }
  return std::nullopt;
}

enum class Meridiem { none, am, pm, morning, noon, afternoon, evening, night };

constexpr std::array<Named, 5> vietnamese_periods{{
    {"sang", static_cast<int>(Meridiem::morning)},
    {"trua", static_cast<int>(Meridiem::noon)},
    {"chieu", static_cast<int>(Meridiem::afternoon)},
    {"toi", static_cast<int>(Meridiem::evening)},
    {"dem", static_cast<int>(Meridiem::night)},
}};

// The 24-hour clock hour for `hour` followed by `meridiem`; nullopt when they contradict.
std::optional<int> apply_meridiem(int hour, Meridiem meridiem) {
  switch (meridiem) {
    case Meridiem::none: return hour;
    case Meridiem::am:
      if (hour > 12) return std::nullopt;
      return hour == 12 ? 0 : hour;
    case Meridiem::pm:
      if (hour > 12) return std::nullopt;
      return hour == 12 ? 12 : hour + 12;
    case Meridiem::morning: return hour > 12 ? std::nullopt : std::optional<int>(hour);
    case Meridiem::noon: return hour >= 1 && hour <= 4 ? hour + 12 : hour;  // "1 giờ trưa" is 13:00
    case Meridiem::afternoon:
    case Meridiem::evening: return hour < 12 ? hour + 12 : hour;
    case Meridiem::night: return hour >= 6 && hour < 12 ? hour + 12 : hour;  // "2 giờ đêm" is 02:00
  }
  return std::nullopt;
}

class Reader {
 public:
  Reader(const std::vector<Token>& tokens, const DateContext& context) : tokens_(tokens), context_(context) {}

  std::optional<ParsedDate> run() {
    while (pos_ < tokens_.size()) {
      if (!(weekday() || date() || time() || zone() || filler() || bare_year())) return std::nullopt;
    }
    return finish();
  }

 private:
  const Token* at(std::size_t k) const { return pos_ + k < tokens_.size() ? &tokens_[pos_ + k] : nullptr; }
  bool word(std::size_t k, std::string_view text) const {
    const Token* t = at(k);
    return t != nullptr && t->kind == Kind::word && t->text == text;
  }
  bool punct(std::size_t k, char c) const {
    const Token* t = at(k);
    return t != nullptr && t->kind == Kind::punct && t->text[0] == c;
  }
  bool number(std::size_t k, std::size_t min_digits, std::size_t max_digits) const {
    const Token* t = at(k);
    return t != nullptr && t->kind == Kind::number && t->text.size() >= min_digits &&
           t->text.size() <= max_digits;
  }
  bool glued(std::size_t k) const { return at(k) != nullptr && !at(k)->space_before; }
  std::int64_t value(std::size_t k) const { return at(k)->value; }
  std::string_view text(std::size_t k) const { return at(k)->text; }

  bool weekday() {
    if (have_weekday_ || at(0) == nullptr || at(0)->kind != Kind::word) return false;
    std::size_t used = 0;
    if (word(0, "thu") && at(1) != nullptr) {
      for (auto name : vietnamese_day_numbers) {
        if (word(1, name)) used = 2;
      }
      if (number(1, 1, 1) && value(1) >= 2 && value(1) <= 7) used = 2;
      if (used != 0) vietnamese_ = true;
    }
    if (used == 0 && word(0, "chu") && word(1, "nhat")) used = 2, vietnamese_ = true;
    if (used == 0 && word(0, "cn")) used = 1, vietnamese_ = true;
    if (used == 0 && word(0, "t") && number(1, 1, 1) && glued(1) && value(1) >= 2 && value(1) <= 7) {
      used = 2, vietnamese_ = true;
    }
    if (used == 0) {
      for (auto name : english_weekdays) {
        if (word(0, name)) used = 1;
      }
      if (used == 1 && punct(1, '.') && glued(1)) used = 2;
    }
    if (used == 0) return false;
    have_weekday_ = true;
    pos_ += used;
    return true;
  }

  std::optional<int> month_at(std::size_t k) const {
    const Token* t = at(k);
    if (t == nullptr || t->kind != Kind::word) return std::nullopt;
    return lookup(month_names, t->text);
  }

  // A day number's "st"/"nd"/"rd"/"th" suffix, written right after it.
  std::size_t ordinal_suffix(std::size_t k) const {
    if (!glued(k)) return 0;
    return word(k, "st") || word(k, "nd") || word(k, "rd") || word(k, "th") ? 1 : 0;
  }

  // A year after a day and month: 4 digits, or 2 digits that do not start a clock time.
  std::size_t year_at(std::size_t k) {
    if (number(k, 4, 4) || (number(k, 2, 2) && !punct(k + 1, ':') && !word(k + 1, "h"))) {
      year_ = expand_year(value(k), text(k).size());
      return 1;
    }
    return 0;
  }

  bool date() {
    if (have_date_) return false;
    return numeric_date() || day_month_name() || month_name_day() || vietnamese_date() || relative_day();
  }

  bool numeric_date() {
    if (!number(0, 1, 4) || !(punct(1, '/') || punct(1, '-') || punct(1, '.'))) return false;
    const char sep = text(1)[0];
    if (!glued(1) || !number(2, 1, 2) || !glued(2) || !punct(3, sep) || !glued(3) || !glued(4)) return false;
    if (text(0).size() == 4) {
      if (!number(4, 1, 2)) return false;
      year_ = static_cast<int>(value(0)), month_ = static_cast<int>(value(2)),
      day_ = static_cast<int>(value(4));
    } else {
      if (text(0).size() > 2 || !(number(4, 2, 2) || number(4, 4, 4))) return false;
      numeric_pending_ = true;
      first_ = value(0), second_field_ = value(2);
      year_ = expand_year(value(4), text(4).size());
    }
    have_date_ = true;
    pos_ += 5;
    return true;
  }

  bool day_month_name() {
    if (!number(0, 1, 2)) return false;
    std::size_t k = 1 + ordinal_suffix(1);
    if (punct(k, '-') || punct(k, '.') || word(k, "of")) ++k;
    const auto month = month_at(k);
    if (!month) return false;
    ++k;
    if (punct(k, '.') || punct(k, '-') || punct(k, ',')) ++k;
    k += year_at(k);
    day_ = static_cast<int>(value(0)), month_ = *month;
    have_date_ = true;
    pos_ += k;
    return true;
  }

  bool month_name_day() {
    const auto month = month_at(0);
    if (!month) return false;
    std::size_t k = 1;
    if (punct(k, '.')) ++k;
    if (!number(k, 1, 2)) return false;
    day_ = static_cast<int>(value(k)), month_ = *month;
    ++k;
    k += ordinal_suffix(k);
    if (punct(k, ',')) ++k;
    k += year_at(k);
    have_date_ = true;
    pos_ += k;
    return true;
  }

  bool vietnamese_date() {
    if (!number(0, 1, 2) || !word(1, "thang") || !number(2, 1, 2)) return false;
    day_ = static_cast<int>(value(0)), month_ = static_cast<int>(value(2));
    std::size_t k = 3;
    if (word(k, "nam") && number(k + 1, 4, 4)) {
      year_ = static_cast<int>(value(k + 1));
      k += 2;
    } else if ((punct(k, ',') || punct(k, '/') || punct(k, '-')) && number(k + 1, 4, 4)) {
      year_ = static_cast<int>(value(k + 1));
      k += 2;
    } else if (number(k, 4, 4)) {
      year_ = static_cast<int>(value(k));
      k += 1;
    }
    vietnamese_ = true;
    have_date_ = true;
    pos_ += k;
    return true;
  }

  // "hôm nay", "hôm qua", "hôm kia": a calendar day counted back from the context's now.
  bool relative_day() {
    int days_back = -1;
    std::size_t used = 2;
    if (word(0, "hom") && word(1, "nay")) days_back = 0;
    if (word(0, "hom") && word(1, "qua")) days_back = 1;
    if (word(0, "hom") && word(1, "kia")) days_back = 2;
    if (word(0, "today")) days_back = 0, used = 1;
    if (word(0, "yesterday")) days_back = 1, used = 1;
    if (days_back < 0) return false;
    using namespace std::chrono;
    if (context_.now == Instant{}) return false;  // no reference time: not understood
    const auto local = to_local(context_.now, context_.time_zone);
    if (!local) return false;
    const year_month_day day{floor<days>(*local) - days{days_back}};
    year_ = static_cast<int>(day.year()), month_ = static_cast<int>(static_cast<unsigned>(day.month()));
    day_ = static_cast<int>(static_cast<unsigned>(day.day()));
    relative_ = true;
    have_date_ = true;
    pos_ += used;
    return true;
  }

  bool time() {
    if (have_time_ || !number(0, 1, 2)) return false;
    std::size_t k = 1;
    hour_ = static_cast<int>(value(0));
    if (punct(1, ':') && number(2, 2, 2)) {
      minute_ = static_cast<int>(value(2));
      k = 3;
      if (punct(k, ':') && number(k + 1, 2, 2)) {
        second_ = static_cast<int>(value(k + 1));
        k += 2;
        if ((punct(k, '.') || punct(k, ',')) && glued(k) && number(k + 1, 1, 13) && glued(k + 1)) k += 2;
      }
    } else if ((word(1, "h") || word(1, "g")) && glued(1)) {
      k = 2;
      if (number(2, 2, 2) && glued(2)) minute_ = static_cast<int>(value(2)), k = 3;
    } else if (word(1, "gio")) {
      vietnamese_ = true;
      k = 2;
      if (number(2, 1, 2)) {
        minute_ = static_cast<int>(value(2)), k = 3;
        if (word(3, "phut")) k = 4;
      }
    } else if (!meridiem_at(1)) {
      return false;
    }
    pos_ += k;
    read_meridiem();
    have_time_ = true;
    return true;
  }

  // Length of an AM/PM marker at k: "am", "pm", "a.m.", "p.m.", and Windows' Vietnamese
  // "SA"/"CH" (sáng/chiều); 0 when there is none.
  std::size_t meridiem_at(std::size_t k) const {
    if (word(k, "am") || word(k, "pm") || word(k, "sa") || word(k, "ch")) return 1;
    if ((word(k, "a") || word(k, "p")) && punct(k + 1, '.') && word(k + 2, "m"))
      return punct(k + 3, '.') ? 4 : 3;
    return 0;
  }

  void read_meridiem() {
    if (const std::size_t used = meridiem_at(0); used != 0) {
      meridiem_ = text(0)[0] == 'a' || text(0) == "sa" ? Meridiem::am : Meridiem::pm;
      pos_ += used;
      return;
    }
    if (at(0) != nullptr && at(0)->kind == Kind::word) {
      if (const auto period = lookup(vietnamese_periods, text(0))) {
        meridiem_ = static_cast<Meridiem>(*period);
        vietnamese_ = true;
        ++pos_;
      }
    }
  }

  // An offset such as 7, 07, 0700, 700 or 07:00 after a sign at k-1; tokens used, or 0.
  std::size_t offset_at(std::size_t k, int sign) {
    if (!number(k, 1, 4) || !glued(k)) return 0;
    std::int64_t hours = value(k);
    std::int64_t minutes = 0;
    std::size_t used = 1;
    if (text(k).size() >= 3) {
      hours = value(k) / 100, minutes = value(k) % 100;
    } else if (punct(k + 1, ':') && number(k + 2, 2, 2)) {
      minutes = value(k + 2), used = 3;
    }
    if (hours > 14 || minutes > 59) return 0;
    offset_ = sign * static_cast<int>(hours * 3600 + minutes * 60);
    return used;
  }

  bool zone() {
    if (at(0) == nullptr) return false;
    // "+0000 (UTC)": a zone name in parentheses after an offset only comments on it.
    if (have_zone_ && pos_ > 0 && tokens_[pos_ - 1].kind == Kind::punct && tokens_[pos_ - 1].text == "(" &&
        at(0)->kind == Kind::word && lookup(zone_names, text(0))) {
      ++pos_;
      return true;
    }
    if (have_zone_) return false;
    if ((punct(0, '+') || punct(0, '-')) && (have_time_ || have_date_)) {
      const std::size_t used = offset_at(1, punct(0, '-') ? -1 : 1);
      if (used == 0) return false;
      pos_ += 1 + used;
      have_zone_ = true;
      return true;
    }
    if (at(0)->kind != Kind::word) return false;
    if (const auto minutes = lookup(zone_names, text(0))) {
      offset_ = *minutes * 60;
      std::size_t used = 1;
      const bool universal = *minutes == 0 && text(0) != "z";
      if (universal && (punct(1, '+') || punct(1, '-'))) {
        const std::size_t offset = offset_at(2, punct(1, '-') ? -1 : 1);
        if (offset == 0) return false;
        used += 1 + offset;
      }
      pos_ += used;
      have_zone_ = true;
      return true;
    }
    // RFC 822 got the military letters' signs backwards, so RFC 1123 and RFC 5322 read
    // them as carrying no information: UTC.
    if (have_time_ && text(0).size() == 1 && text(0) != "j") {
      offset_ = 0;
      ++pos_;
      have_zone_ = true;
      return true;
    }
    return false;
  }

  bool filler() {
    const Token* t = at(0);
    if (t == nullptr) return false;
    if (t->kind == Kind::punct) {
      if (std::string_view(",|;()-.@").find(t->text[0]) == std::string_view::npos) return false;
      ++pos_;
      return true;
    }
    if (t->kind != Kind::word) return false;
    if (t->text == "luc" || t->text == "vao" || t->text == "ngay") {
      vietnamese_ = true;
      ++pos_;
      return true;
    }
    if (t->text == "at" || t->text == "on" || t->text == "of") {
      ++pos_;
      return true;
    }
    return false;
  }

  // asctime writes the year last: "Mon Sep 14 09:13:00 2026".
  bool bare_year() {
    if (!have_date_ || year_ != 0 || !number(0, 4, 4)) return false;
    year_ = static_cast<int>(value(0));
    ++pos_;
    return true;
  }

  std::optional<ParsedDate> finish() {
    if (!have_date_ || year_ == 0) return std::nullopt;
    if (numeric_pending_) {
      DateOrder order = context_.order;
      if (order == DateOrder::automatic) {
        const OrderVote vote = vote_from_values(first_, second_field_);
        if (vote == OrderVote::dmy) {
          order = DateOrder::dmy;
        } else if (vote == OrderVote::mdy || meridiem_ == Meridiem::am || meridiem_ == Meridiem::pm) {
          order = DateOrder::mdy;
        } else if (vietnamese_) {
          order = DateOrder::dmy;
        } else {
          return std::nullopt;  // 02/08/2019 alone: the document must decide (infer_date_order)
        }
      }
      day_ = static_cast<int>(order == DateOrder::dmy ? first_ : second_field_);
      month_ = static_cast<int>(order == DateOrder::dmy ? second_field_ : first_);
    }
    Fields fields;
    fields.year = year_, fields.month = month_, fields.day = day_;
    const auto hour = apply_meridiem(hour_, meridiem_);
    if (!hour) return std::nullopt;
    fields.hour = *hour, fields.minute = minute_, fields.second = second_;
    if (have_zone_) fields.offset_seconds = offset_;
    const auto instant = to_instant(fields, context_.time_zone);
    if (!instant) return std::nullopt;
    return ParsedDate{*instant, have_zone_, relative_};
  }

  const std::vector<Token>& tokens_;
  const DateContext& context_;
  std::size_t pos_ = 0;
  bool have_weekday_ = false, have_date_ = false, have_time_ = false, have_zone_ = false;
  bool numeric_pending_ = false, vietnamese_ = false, relative_ = false;
  std::int64_t first_ = 0, second_field_ = 0;
  int year_ = 0, month_ = 1, day_ = 1, hour_ = 0, minute_ = 0, second_ = 0, offset_ = 0;
  Meridiem meridiem_ = Meridiem::none;
};

}  // namespace

std::optional<int> month_from_name(std::string_view word) {
  return lookup(month_names, word);
}

std::optional<ParsedDate> parse_textual(const std::vector<Token>& tokens, const DateContext& context) {
  return Reader(tokens, context).run();
}

OrderVote vote_from_values(std::int64_t first, std::int64_t second) {
  if (first > 12 && first <= 31 && second >= 1 && second <= 12) return OrderVote::dmy;
  if (second > 12 && second <= 31 && first >= 1 && first <= 12) return OrderVote::mdy;
  return OrderVote::none;
}

OrderEvidence order_evidence(const std::vector<Token>& tokens) {
  OrderEvidence evidence;
  auto is = [&](std::size_t i, Kind kind) { return i < tokens.size() && tokens[i].kind == kind; };
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind == Kind::word) {
      const auto w = t.text;
      if (w == "am" || w == "pm" || w == "sa" || w == "ch") evidence.meridiem = true;
      const bool weekday_number = w == "thu" && i + 1 < tokens.size() &&
                                  (tokens[i + 1].kind == Kind::number ||
                                   std::find(vietnamese_day_numbers.begin(), vietnamese_day_numbers.end(),
                                             tokens[i + 1].text) != vietnamese_day_numbers.end());
      if (w == "thang" || w == "ngay" || w == "luc" || w == "chieu" || w == "sang" || w == "toi" ||
          w == "hom" || weekday_number ||
          (w == "chu" && i + 1 < tokens.size() && tokens[i + 1].text == "nhat")) {
        evidence.vietnamese = true;
      }
    }
    const bool numeric = is(i, Kind::number) && t.text.size() <= 2 && is(i + 1, Kind::punct) &&
                         is(i + 2, Kind::number) && is(i + 3, Kind::punct) && is(i + 4, Kind::number) &&
                         tokens[i + 1].text == tokens[i + 3].text && tokens[i + 1].text != ":";
    if (numeric && !evidence.numeric)
      evidence.numeric = true, evidence.values = vote_from_values(t.value, tokens[i + 2].value);
  }
  return evidence;
}

}  // namespace tinhop::date_detail
