// Text folding, tokenizing and time zone arithmetic for the date module (ICU).
#include <unicode/basictz.h>
#include <unicode/normalizer2.h>
#include <unicode/timezone.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <memory>

#include "date_internal.hpp"
#include "text_internal.hpp"

namespace tinhop::date_detail {
namespace {

constexpr char unreadable = '\x01';

bool is_utc_name(std::string_view zone) {
  return zone.empty() || zone == "UTC" || zone == "Etc/UTC" || zone == "GMT" || zone == "Etc/GMT" ||
         zone == "Z";
}

// ICU zones are looked up by name; an unknown name yields nullptr rather than ICU's
// silent "Etc/Unknown" (which behaves as GMT and would hide a configuration mistake).
std::unique_ptr<icu::BasicTimeZone> load_zone(std::string_view zone) {
  const auto id =
      icu::UnicodeString::fromUTF8(icu::StringPiece(zone.data(), static_cast<int32_t>(zone.size())));
  std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(id));
  if (!tz || *tz == icu::TimeZone::getUnknown()) return nullptr;
  auto* basic = dynamic_cast<icu::BasicTimeZone*>(tz.get());
  if (basic == nullptr) return nullptr;
  tz.release();
  return std::unique_ptr<icu::BasicTimeZone>(basic);
}

// ICU builds a zone from its rule data on every lookup (microseconds, more than the rest of
// a parse), and a feed's dates all use one zone, so each thread keeps the last zone it
// loaded. The cache holds immutable ICU data only: it never changes a result.
const icu::BasicTimeZone* zone_for(std::string_view zone) {
  thread_local std::string cached_name;
  thread_local std::unique_ptr<icu::BasicTimeZone> cached;
  thread_local bool loaded = false;
  if (!loaded || cached_name != zone) {
    cached = load_zone(zone);
    cached_name = std::string(zone);
    loaded = true;
  }
  return cached.get();
}

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void fold_ascii(std::string_view text, std::string& out) {
  const std::size_t start = out.size();
  out.append(text);
  for (std::size_t i = start; i < out.size(); ++i) {
    char& c = out[i];
    if (is_ascii_space(c)) {
      c = ' ';
    } else if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
}

bool fold_unicode(std::string_view text, std::string& out) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status)) return false;
  const auto source =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  const icu::UnicodeString decomposed = nfd->normalize(source, status);
  if (U_FAILURE(status)) return false;
  for (int32_t i = 0; i < decomposed.length(); i = decomposed.moveIndex32(i, 1)) {
    const UChar32 c = decomposed.char32At(i);
    if (c < 0x80) {
      const char ch = static_cast<char>(c);
      fold_ascii(std::string_view(&ch, 1), out);
      continue;
    }
    if (u_charType(c) == U_NON_SPACING_MARK) continue;  // tone marks and other diacritics
    if (c == 0x0110 || c == 0x0111) {                   // Đ đ have no decomposition
      out.push_back('d');
    } else if (u_isUWhiteSpace(c) || u_charType(c) == U_SPACE_SEPARATOR) {
      out.push_back(' ');
    } else if (c == 0x200B || c == 0x200C || c == 0x200D || c == 0xFEFF) {
      continue;  // zero-width characters pasted from CMS editors
    } else if (c == 0x2013 || c == 0x2014 || c == 0x2212) {
      out.push_back('-');  // en/em dash and minus sign as written in offsets and ranges
    } else {
      out.push_back(unreadable);
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> fold(std::string_view text) {
  if (text.size() > max_date_length) return std::nullopt;
  std::string out;
  out.reserve(text.size());
  if (is_ascii(text)) {
    fold_ascii(text, out);
  } else if (!fold_unicode(text, out)) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::vector<Token>> tokenize(std::string_view folded) {
  std::vector<Token> tokens;
  tokens.reserve(16);
  bool space = false;
  std::size_t i = 0;
  while (i < folded.size()) {
    const char c = folded[i];
    if (c == ' ') {
      space = true;
      ++i;
      continue;
    }
    Token token;
    token.space_before = space;
    space = false;
    const std::size_t start = i;
    if (c >= '0' && c <= '9') {
      while (i < folded.size() && folded[i] >= '0' && folded[i] <= '9') ++i;
      if (i - start > 13) return std::nullopt;  // no field of a date is longer (ms epoch)
      token.kind = Token::Kind::number;
      for (std::size_t k = start; k < i; ++k) token.value = token.value * 10 + (folded[k] - '0');
    } else if (c >= 'a' && c <= 'z') {
      while (i < folded.size() && folded[i] >= 'a' && folded[i] <= 'z') ++i;
      token.kind = Token::Kind::word;
    } else if (std::string_view(":/-.,+()|;@").find(c) != std::string_view::npos) {
      ++i;
      token.kind = Token::Kind::punct;
    } else {
      return std::nullopt;
    }
    token.text = folded.substr(start, i - start);
    tokens.push_back(token);
  }
  return tokens;
}

std::optional<Instant> to_instant(const Fields& f, std::string_view zone) {
  using namespace std::chrono;
  const year_month_day date{year{f.year}, month{static_cast<unsigned>(f.month)},
                            day{static_cast<unsigned>(f.day)}};
  if (f.year < 1 || f.year > 9999 || !date.ok()) return std::nullopt;
  if (f.hour < 0 || f.minute < 0 || f.minute > 59 || f.second < 0 || f.second > 60) return std::nullopt;
  // ISO 8601 allows 24:00:00 as the end of a day; nothing else past 23.
  if (f.hour > 24 || (f.hour == 24 && (f.minute != 0 || f.second != 0))) return std::nullopt;
  const int second = f.second == 60 ? 59 : f.second;  // a leap second is not representable
  const seconds clock = hours{f.hour} + minutes{f.minute} + seconds{second};
  if (f.offset_seconds) {
    return Instant{sys_days{date}.time_since_epoch() + clock - seconds{*f.offset_seconds}};
  }
  return from_local(local_seconds{local_days{date}.time_since_epoch() + clock}, zone);
}

std::optional<std::chrono::local_seconds> to_local(Instant instant, std::string_view zone) {
  using namespace std::chrono;
  if (is_utc_name(zone)) return local_seconds{instant.time_since_epoch()};
  const icu::BasicTimeZone* tz = zone_for(zone);
  if (tz == nullptr) return std::nullopt;
  UErrorCode status = U_ZERO_ERROR;
  int32_t raw = 0;
  int32_t dst = 0;
  tz->getOffset(static_cast<UDate>(instant.time_since_epoch().count()) * 1000.0, false, raw, dst, status);
  if (U_FAILURE(status)) return std::nullopt;
  return local_seconds{instant.time_since_epoch() + seconds{(raw + dst) / 1000}};
}

std::optional<Instant> from_local(std::chrono::local_seconds local, std::string_view zone) {
  using namespace std::chrono;
  if (is_utc_name(zone)) return Instant{local.time_since_epoch()};
  const icu::BasicTimeZone* tz = zone_for(zone);
  if (tz == nullptr) return std::nullopt;
  UErrorCode status = U_ZERO_ERROR;
  int32_t raw = 0;
  int32_t dst = 0;
  tz->getOffsetFromLocal(static_cast<UDate>(local.time_since_epoch().count()) * 1000.0, UCAL_TZ_LOCAL_FORMER,
                         UCAL_TZ_LOCAL_FORMER, raw, dst, status);
  if (U_FAILURE(status)) return std::nullopt;
  return Instant{local.time_since_epoch() - seconds{(raw + dst) / 1000}};
}

}  // namespace tinhop::date_detail
