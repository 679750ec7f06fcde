// Language detection: the script decides for the languages that have one of their own,
// character trigrams (Cavnar and Trenkle's idea, scored as a naive Bayes model) for the
// Latin ones.
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "tinhop/parsers/language.hpp"

namespace tinhop {
namespace {

#include "language_samples.inc"

constexpr std::array<std::string_view, 7> languages = {"vi", "en", "fr", "zh", "ru", "km", "lo"};

// Fewer letters than this say too little to tell English from French.
constexpr std::size_t min_letters = 12;
// The winning Latin profile must beat the next by this much per trigram (natural log):
// below it the text is in none of them (German, Spanish...) or too short to tell.
constexpr double min_margin = 0.25;

// Lowercase letters, every other character a word break, words padded with one space each
// side: "Giá xăng" -> " giá  xăng ".
std::u32string letters_of(std::string_view utf8) {
  std::u32string out = U" ";
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(utf8.data());
  const auto size = static_cast<std::int32_t>(utf8.size());
  for (std::int32_t i = 0; i < size;) {
    UChar32 c = 0;
    U8_NEXT(bytes, i, size, c);
    if (c >= 0 && u_isalpha(c) != 0) {
      out.push_back(static_cast<char32_t>(u_tolower(c)));
    } else if (out.back() != U' ') {
      out.append(U"  ");
    }
  }
  if (out.back() != U' ') out.push_back(U' ');
  return out;
}

std::uint64_t trigram_key(const std::u32string& text, std::size_t at) {
  return (std::uint64_t{text[at]} << 42U) | (std::uint64_t{text[at + 1]} << 21U) |
         std::uint64_t{text[at + 2]};
}

template <typename Visit>
void for_each_trigram(const std::u32string& text, Visit&& visit) {
  for (std::size_t at = 0; at + 3 <= text.size(); ++at) {
    // "  x" spans two words' padding: not a trigram of either.
    if (text[at] == U' ' && text[at + 1] == U' ') continue;
    visit(trigram_key(text, at));
  }
}

struct Profile {
  std::string_view language;
  std::unordered_map<std::uint64_t, double> log_probability;
  double unseen = 0;  // log probability of a trigram the sample never showed
};

std::vector<Profile> build_profiles() {
  const std::array<std::pair<std::string_view, std::string_view>, 3> samples = {
      {{"vi", vietnamese_sample}, {"en", english_sample}, {"fr", french_sample}}};
  std::vector<std::unordered_map<std::uint64_t, std::size_t>> counts(samples.size());
  std::unordered_map<std::uint64_t, bool> vocabulary;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    for_each_trigram(letters_of(samples[i].second), [&](std::uint64_t key) {
      ++counts[i][key];
      vocabulary[key] = true;
    });
  }
  std::vector<Profile> profiles;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    std::size_t total = 0;
    for (const auto& [key, count] : counts[i]) total += count;
    // Add-one smoothing over every trigram any sample showed, plus one for the rest.
    const double denominator = static_cast<double>(total + vocabulary.size() + 1);
    Profile profile{samples[i].first, {}, std::log(1.0 / denominator)};
    for (const auto& [key, count] : counts[i])
      profile.log_probability[key] = std::log(static_cast<double>(count + 1) / denominator);
    profiles.push_back(std::move(profile));
  }
  return profiles;
}

const std::vector<Profile>& latin_profiles() {
  static const std::vector<Profile> profiles = build_profiles();
  return profiles;
}

std::optional<std::string_view> latin_language(std::string_view utf8) {
  const std::u32string text = letters_of(utf8);
  const auto& profiles = latin_profiles();
  std::vector<double> scores(profiles.size(), 0.0);
  std::size_t trigrams = 0;
  for_each_trigram(text, [&](std::uint64_t key) {
    ++trigrams;
    for (std::size_t i = 0; i < profiles.size(); ++i) {
      const auto found = profiles[i].log_probability.find(key);
      scores[i] += found == profiles[i].log_probability.end() ? profiles[i].unseen : found->second;
    }
  });
  if (trigrams == 0) return std::nullopt;
  std::vector<std::size_t> order(profiles.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  const double margin = (scores[order[0]] - scores[order[1]]) / static_cast<double>(trigrams);
  if (margin < min_margin) return std::nullopt;
  return profiles[order[0]].language;
}

}  // namespace

std::span<const std::string_view> detectable_languages() {
  return languages;
}

std::optional<std::string_view> detect_language(std::string_view utf8) {
  std::size_t letters = 0;
  std::size_t latin = 0;
  std::size_t kana = 0;
  std::unordered_map<UScriptCode, std::size_t> others;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(utf8.data());
  const auto size = static_cast<std::int32_t>(utf8.size());
  for (std::int32_t i = 0; i < size;) {
    UChar32 c = 0;
    U8_NEXT(bytes, i, size, c);
    if (c < 0 || u_isalpha(c) == 0) continue;
    ++letters;
    UErrorCode status = U_ZERO_ERROR;
    const UScriptCode script = uscript_getScript(c, &status);
    if (U_FAILURE(status)) continue;
    if (script == USCRIPT_LATIN) {
      ++latin;
    } else if (script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA) {
      ++kana;
    } else {
      ++others[script];
    }
  }
  // A Han character is a word, a Latin letter a fraction of one: Chinese counts from fewer.
  const auto han = others[USCRIPT_HAN];
  if (han >= 4 && kana == 0 && han * 3 >= latin) return "zh";
  if (letters < min_letters) return std::nullopt;
  const auto script = std::max_element(others.begin(), others.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
  if (script != others.end() && script->second * 2 >= letters) {
    switch (script->first) {
      case USCRIPT_CYRILLIC: return "ru";
      case USCRIPT_KHMER: return "km";
      case USCRIPT_LAO: return "lo";
      default: return std::nullopt;
    }
  }
  if (latin * 2 < letters) return std::nullopt;
  return latin_language(utf8);
}

std::optional<std::string> settle_language(std::string_view text,
                                           const std::optional<std::string>& declared) {
  const std::optional<std::string_view> detected = detect_language(text);
  if (!detected) return declared;
  if (!declared) return std::string(*detected);
  const std::string_view tag = *declared;
  const std::string_view primary = tag.substr(0, tag.find('-'));
  if (primary == *detected) return declared;
  // A declaration naming a language detection cannot tell (de, es, ...) may be right.
  const bool known = std::find(languages.begin(), languages.end(), primary) != languages.end();
  return known ? std::optional<std::string>(std::string(*detected)) : declared;
}

}  // namespace tinhop
