// A source's own date layout ("%d/%m/%Y %H:%M"), for pages no table form reads.
#include <string>

#include "date_internal.hpp"

namespace tinhop {
namespace {

class Matcher {
 public:
  Matcher(std::string_view text, const DateContext& context) : text_(text), context_(context) {}

  bool literal(std::string_view folded) {
    for (char c : folded) {
      if (c == ' ') {
        while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
      } else if (pos_ < text_.size() && text_[pos_] == c) {
        ++pos_;
      } else {
        return false;
      }
    }
    return true;
  }

  bool directive(char d) {
    switch (d) {
      case 'd': return number(1, 2, fields_.day);
      case 'm': return number(1, 2, fields_.month);
      case 'Y': return number(4, 4, fields_.year);
      case 'y':
        if (!number(2, 2, fields_.year)) return false;
        fields_.year = date_detail::expand_year(fields_.year, 2);
        return true;
      case 'H': return number(1, 2, fields_.hour);
      case 'I': twelve_hour_ = true; return number(1, 2, fields_.hour);
      case 'M': return number(1, 2, fields_.minute);
      case 'S': return number(1, 2, fields_.second);
      case 'p': return meridiem();
      case 'b': {
        const auto month = date_detail::month_from_name(word());
        if (!month) return false;
        fields_.month = *month;
        return true;
      }
      case 'z': return offset();
      case '%': return literal("%");
      default: return false;
    }
  }

  std::optional<ParsedDate> finish() {
    if (pos_ != text_.size()) return std::nullopt;
    if (pm_ || am_) {
      if (fields_.hour < 1 || fields_.hour > 12) return std::nullopt;
      if (am_ && fields_.hour == 12) fields_.hour = 0;
      if (pm_ && fields_.hour != 12) fields_.hour += 12;
    } else if (twelve_hour_) {
      return std::nullopt;  // %I without %p names two different hours
    }
    const auto instant = date_detail::to_instant(fields_, context_.time_zone);
    if (!instant) return std::nullopt;
    return ParsedDate{*instant, fields_.offset_seconds.has_value(), false};
  }

 private:
  bool number(std::size_t min_digits, std::size_t max_digits, int& out) {
    std::size_t n = 0;
    int value = 0;
    while (n < max_digits && pos_ + n < text_.size() && text_[pos_ + n] >= '0' && text_[pos_ + n] <= '9') {
      value = value * 10 + (text_[pos_ + n] - '0');
      ++n;
    }
    if (n < min_digits) return false;
    pos_ += n;
    out = value;
    return true;
  }

  std::string_view word() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= 'a' && text_[pos_] <= 'z') ++pos_;
    return text_.substr(start, pos_ - start);
  }

  bool meridiem() {
    const std::size_t start = pos_;
    std::string w(word());
    if ((w == "a" || w == "p") && literal(".m")) {
      w += 'm';
      if (pos_ < text_.size() && text_[pos_] == '.') ++pos_;
    }
    if (w == "am" || w == "sa" || w == "sang") return am_ = true;
    if (w == "pm" || w == "ch" || w == "chieu" || w == "toi") return pm_ = true;
    pos_ = start;
    return false;
  }

  bool offset() {
    const std::string_view rest = text_.substr(pos_);
    if (rest.substr(0, 1) == "z") {
      ++pos_;
      fields_.offset_seconds = 0;
      return true;
    }
    if (rest.substr(0, 3) == "gmt" || rest.substr(0, 3) == "utc") pos_ += 3;
    if (pos_ >= text_.size() || (text_[pos_] != '+' && text_[pos_] != '-')) return false;
    const int sign = text_[pos_++] == '-' ? -1 : 1;
    int hours = 0;
    int minutes = 0;
    const std::size_t start = pos_;
    if (!number(1, 4, hours)) return false;
    if (pos_ - start >= 3) {
      minutes = hours % 100, hours /= 100;
    } else if (pos_ < text_.size() && text_[pos_] == ':') {
      ++pos_;
      if (!number(2, 2, minutes)) return false;
    }
    if (hours > 14 || minutes > 59) return false;
    fields_.offset_seconds = sign * (hours * 3600 + minutes * 60);
    return true;
  }

  std::string_view text_;
  const DateContext& context_;
  std::size_t pos_ = 0;
  date_detail::Fields fields_;
  bool twelve_hour_ = false, am_ = false, pm_ = false;
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<ParsedDate> parse_date_format(std::string_view text, std::string_view format,
                                            const DateContext& context) {
  const auto folded = date_detail::fold(text);
  if (!folded || format.empty() || format.size() > date_detail::max_date_length) return std::nullopt;
  Matcher matcher(trim(*folded), context);
  std::size_t i = 0;
  while (i < format.size()) {
    if (format[i] == '%') {
      if (i + 1 >= format.size() || !matcher.directive(format[i + 1])) return std::nullopt;
      i += 2;
      continue;
    }
    const std::size_t end = std::min(format.find('%', i), format.size());
    const auto literal = date_detail::fold(format.substr(i, end - i));
    if (!literal || !matcher.literal(*literal)) return std::nullopt;
    i = end;
  }
  return matcher.finish();
}

}  // namespace tinhop
