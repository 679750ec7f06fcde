// Which of day and month comes first in a document's all-numeric dates: from the
// document's own dates, else from what is known about its source. The customary order of
// a language or a country is CLDR's, read through ICU: the short date pattern of the
// likely locale (vi: dd/MM/y, en: M/d/yy), never a table of our own.
#include <unicode/datefmt.h>
#include <unicode/locid.h>
#include <unicode/region.h>
#include <unicode/smpdtfmt.h>
#include <unicode/timezone.h>

#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>

#include "date_internal.hpp"

namespace tinhop {
namespace {

struct Votes {
  int dmy = 0;
  int mdy = 0;
  bool numeric = false;  // some sample is an all-numeric d/m/y date
};

Votes count_votes(const std::vector<std::string_view>& samples) {
  Votes votes;
  for (const auto sample : samples) {
    const auto folded = date_detail::fold(sample);
    if (!folded) continue;
    const auto tokens = date_detail::tokenize(*folded);
    if (!tokens) continue;
    const auto evidence = date_detail::order_evidence(*tokens);
    if (!evidence.numeric) continue;
    votes.numeric = true;
    if (evidence.values == date_detail::OrderVote::dmy) ++votes.dmy;
    if (evidence.values == date_detail::OrderVote::mdy) ++votes.mdy;
    if (evidence.values == date_detail::OrderVote::none) {
      if (evidence.meridiem) ++votes.mdy;
      if (evidence.vietnamese && !evidence.meridiem) ++votes.dmy;
    }
  }
  return votes;
}

// Day before month or month before day in a CLDR date pattern, quoted literals skipped;
// automatic when the year comes first (y/MM/dd: ja, zh, sv, hu): those write no d/m/y date.
DateOrder order_of_pattern(const icu::UnicodeString& pattern) {
  bool quoted = false;
  for (int32_t i = 0; i < pattern.length(); ++i) {
    const char16_t c = pattern.charAt(i);
    if (c == u'\'') quoted = !quoted;
    if (quoted) continue;
    if (c == u'd') return DateOrder::dmy;
    if (c == u'M' || c == u'L') return DateOrder::mdy;
    if (c == u'y' || c == u'Y' || c == u'u') return DateOrder::automatic;
  }
  return DateOrder::automatic;
}

// The customary order of a locale once its likely script and region are filled in
// ("vi" -> vi_Latn_VN, "und_US" -> en_Latn_US).
DateOrder order_of_locale(icu::Locale locale) {
  UErrorCode status = U_ZERO_ERROR;
  locale.addLikelySubtags(status);
  if (U_FAILURE(status) || locale.isBogus() || *locale.getLanguage() == '\0') return DateOrder::automatic;
  const std::unique_ptr<icu::DateFormat> format(
      icu::DateFormat::createDateInstance(icu::DateFormat::kShort, locale));
  const auto* simple = dynamic_cast<const icu::SimpleDateFormat*>(format.get());
  if (simple == nullptr) return DateOrder::automatic;
  // For a language it has no data for, ICU answers with the default locale's pattern.
  status = U_ZERO_ERROR;
  const icu::Locale valid = simple->getLocale(ULOC_VALID_LOCALE, status);
  if (U_FAILURE(status) || std::strcmp(valid.getLanguage(), locale.getLanguage()) != 0) {
    return DateOrder::automatic;
  }
  icu::UnicodeString pattern;
  simple->toPattern(pattern);
  return order_of_pattern(pattern);
}

// ICU builds a date format from locale data on each call (tens of microseconds); a parse
// thread meets few languages and countries, so it keeps its answers. Bounded: the tags come
// from documents.
template <class Lookup>
DateOrder remembered(const std::string& key, Lookup lookup) {
  thread_local std::unordered_map<std::string, DateOrder> known;
  if (const auto it = known.find(key); it != known.end()) return it->second;
  if (known.size() >= 512) known.clear();
  const DateOrder order = lookup();
  known.emplace(key, order);
  return order;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The country codes Google Search treats as generic top-level domains: sites under them
// are rarely of that country.
constexpr std::array<std::string_view, 19> generic_country_domains = {
    "ad", "as", "bz", "cc", "cd", "co", "dj", "fm", "io", "la",
    "me", "ms", "nu", "sc", "sr", "su", "tk", "tv", "ws"};

}  // namespace

DateOrder infer_date_order(const std::vector<std::string_view>& samples, DateOrder fallback) {
  const Votes votes = count_votes(samples);
  if (votes.dmy > votes.mdy) return DateOrder::dmy;
  if (votes.mdy > votes.dmy) return DateOrder::mdy;
  return fallback;
}

DateOrder date_order_for_language(std::string_view language) {
  std::string tag;
  for (const char c : language) {
    if (c == ',' || c == ';') break;  // Content-Language may list several; the first leads
    if (!is_space(c)) tag.push_back(c == '_' ? '-' : c);
  }
  if (tag.empty()) return DateOrder::automatic;
  return remembered("language:" + tag, [&] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Locale locale = icu::Locale::forLanguageTag(tag, status);
    if (U_FAILURE(status)) return DateOrder::automatic;
    return order_of_locale(locale);
  });
}

DateOrder date_order_for_region(std::string_view region) {
  if (region.size() != 2 || !std::isalpha(static_cast<unsigned char>(region[0])) ||
      !std::isalpha(static_cast<unsigned char>(region[1]))) {
    return DateOrder::automatic;
  }
  std::string code(region);
  for (char& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return remembered("region:" + code, [&] {
    UErrorCode status = U_ZERO_ERROR;
    // Deprecated codes resolve to their successor (UK: GB); groupings (EU) are no country.
    const icu::Region* found = icu::Region::getInstance(code.c_str(), status);
    if (U_FAILURE(status) || found == nullptr || found->getType() != URGN_TERRITORY) {
      return DateOrder::automatic;
    }
    return order_of_locale(icu::Locale("und", found->getRegionCode()));
  });
}

DateOrder date_order_for_time_zone(std::string_view time_zone) {
  if (time_zone.empty()) return DateOrder::automatic;
  UErrorCode status = U_ZERO_ERROR;
  std::array<char, 8> region{};
  const auto id = icu::UnicodeString::fromUTF8(
      icu::StringPiece(time_zone.data(), static_cast<int32_t>(time_zone.size())));
  icu::TimeZone::getRegion(id, region.data(), static_cast<int32_t>(region.size()), status);
  if (U_FAILURE(status)) return DateOrder::automatic;
  return date_order_for_region(region.data());  // "001" for zones of no country
}

DateOrder date_order_for_url(std::string_view url) {
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->host_type() != boost::urls::host_type::name) return DateOrder::automatic;
  const auto encoded = parsed->encoded_host();
  std::string host(encoded.data(), encoded.size());
  while (!host.empty() && host.back() == '.') host.pop_back();
  const std::size_t dot = host.rfind('.');
  if (dot == std::string::npos) return DateOrder::automatic;  // "localhost": no domain
  std::string tld = host.substr(dot + 1);
  for (char& c : tld) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (std::find(generic_country_domains.begin(), generic_country_domains.end(), tld) !=
      generic_country_domains.end()) {
    return DateOrder::automatic;
  }
  return date_order_for_region(tld);  // 2 letters only: .com, .org and .info name no country
}

DateOrderDecision decide_date_order(const std::vector<std::string_view>& samples, const ParseContext& context,
                                    std::string_view document_language) {
  if (context.date_order != DateOrder::automatic) return {context.date_order, DateOrderBasis::configured};
  const Votes votes = count_votes(samples);
  if (!votes.numeric) return {};
  if (votes.dmy != votes.mdy) {
    return {votes.dmy > votes.mdy ? DateOrder::dmy : DateOrder::mdy, DateOrderBasis::document};
  }
  if (context.learned_date_order != DateOrder::automatic) {
    return {context.learned_date_order, DateOrderBasis::history};
  }
  for (const std::string_view language : {document_language, std::string_view(context.content_language)}) {
    if (const DateOrder order = date_order_for_language(language); order != DateOrder::automatic) {
      return {order, DateOrderBasis::language};
    }
  }
  if (const DateOrder order = date_order_for_time_zone(context.time_zone); order != DateOrder::automatic) {
    return {order, DateOrderBasis::time_zone};
  }
  if (const DateOrder order = date_order_for_url(context.url); order != DateOrder::automatic) {
    return {order, DateOrderBasis::domain};
  }
  return {DateOrder::automatic, DateOrderBasis::undecided};
}

}  // namespace tinhop
