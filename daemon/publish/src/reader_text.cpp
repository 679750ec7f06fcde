#include "tinhop/publish/reader_text.hpp"

#include <unicode/timezone.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "embedded.hpp"

namespace tinhop::publish {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

struct Catalogue {
  std::vector<std::string> keys;  // file order
  std::map<std::string, std::string, std::less<>> texts;
};

// "key = text" lines; '#' starts a comment line.
Catalogue parse_catalogue(std::string_view file) {
  Catalogue catalogue;
  while (!file.empty()) {
    const std::size_t end = file.find('\n');
    const std::string_view line = trim(file.substr(0, end));
    file.remove_prefix(end == std::string_view::npos ? file.size() : end + 1);
    const std::size_t equals = line.find('=');
    if (line.empty() || line.front() == '#' || equals == std::string_view::npos) continue;
    std::string key(trim(line.substr(0, equals)));
    catalogue.keys.push_back(key);
    catalogue.texts.emplace(std::move(key), std::string(trim(line.substr(equals + 1))));
  }
  return catalogue;
}

const Catalogue& catalogue(Language language) {
  static const Catalogue vi = parse_catalogue(embedded::kMessagesVi);
  static const Catalogue en = parse_catalogue(embedded::kMessagesEn);
  return language == Language::en ? en : vi;
}

std::optional<Language> language_named(std::string_view tag) {
  const std::string_view primary = tag.substr(0, tag.find('-'));
  auto equals = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return (x | 0x20) == (y | 0x20); });
  };
  if (equals(primary, "vi")) return Language::vi;
  if (equals(primary, "en")) return Language::en;
  return std::nullopt;
}

// The weight of an Accept-Language entry's parameters ("q=0.8"); 1 without one.
double weight_of(std::string_view parameters) {
  const std::size_t q = parameters.find("q=");
  if (q == std::string_view::npos) return 1.0;
  double weight = 0;
  const std::string text(trim(parameters.substr(q + 2)));
  return std::sscanf(text.c_str(), "%lf", &weight) == 1 ? weight : 0.0;
}

}  // namespace

std::string_view language_tag(Language language) {
  return language == Language::en ? "en" : "vi";
}

Language choose_language(std::string_view hl, std::string_view accept_language) {
  if (auto chosen = language_named(hl)) return *chosen;
  std::optional<Language> best;
  double best_weight = 0;
  while (!accept_language.empty()) {
    const std::size_t comma = accept_language.find(',');
    const std::string_view entry = trim(accept_language.substr(0, comma));
    accept_language.remove_prefix(comma == std::string_view::npos ? accept_language.size() : comma + 1);
    const std::size_t semicolon = entry.find(';');
    const auto language = language_named(trim(entry.substr(0, semicolon)));
    const double weight = semicolon == std::string_view::npos ? 1.0 : weight_of(entry.substr(semicolon + 1));
    if (language && weight > best_weight) {
      best = language;
      best_weight = weight;
    }
  }
  return best.value_or(Language::vi);
}

std::string_view message(Language language, std::string_view key) {
  const Catalogue& c = catalogue(language);
  auto it = c.texts.find(key);
  return it == c.texts.end() ? key : std::string_view(it->second);
}

std::string message(Language language, std::string_view key, std::string_view value) {
  std::string text(message(language, key));
  const std::size_t open = text.find('{');
  const std::size_t close = text.find('}', open);
  if (open != std::string::npos && close != std::string::npos) text.replace(open, close - open + 1, value);
  return text;
}

std::vector<std::string> message_keys(Language language) {
  return catalogue(language).keys;
}

struct DisplayZone::Rules {
  std::unique_ptr<const icu::TimeZone> zone;
};

std::optional<DisplayZone> DisplayZone::named(const std::string& iana_name) {
  std::unique_ptr<icu::TimeZone> zone(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(iana_name)));
  // ICU answers an unknown name with its "Etc/Unknown" zone (UTC) rather than nothing.
  if (!zone || *zone == icu::TimeZone::getUnknown()) return std::nullopt;
  auto rules = std::make_shared<Rules>();
  rules->zone = std::move(zone);
  return DisplayZone(std::move(rules));
}

std::chrono::seconds DisplayZone::offset_at(Instant t) const {
  if (!rules_) return std::chrono::seconds(0);
  std::int32_t raw = 0;
  std::int32_t dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  const auto millis = static_cast<UDate>(t.time_since_epoch().count()) * 1000.0;
  rules_->zone->getOffset(millis, false, raw, dst, status);
  if (U_FAILURE(status)) return std::chrono::seconds(0);
  return std::chrono::seconds((raw + dst) / 1000);
}

std::string reader_time(Instant t, Instant now, const DisplayZone& zone, Language language) {
  using namespace std::chrono;
  const Instant local = t + zone.offset_at(t);
  const Instant local_now = now + zone.offset_at(now);
  const auto day = floor<days>(local);
  if (t <= now && day == floor<days>(local_now)) {
    const auto ago = now - t;
    if (ago < minutes(1)) return std::string(message(language, "just_now"));
    if (ago < hours(1))
      return message(language, "minutes_ago", std::to_string(duration_cast<minutes>(ago).count()));
    return message(language, "hours_ago", std::to_string(duration_cast<hours>(ago).count()));
  }
  const year_month_day date{day};
  const hh_mm_ss clock{local - day};
  char text[32];
  std::snprintf(text, sizeof text, "%02d:%02d, %02u/%02u/%04d", static_cast<int>(clock.hours().count()),
                static_cast<int>(clock.minutes().count()), static_cast<unsigned>(date.day()),
                static_cast<unsigned>(date.month()), static_cast<int>(date.year()));
  return text;
}

}  // namespace tinhop::publish
