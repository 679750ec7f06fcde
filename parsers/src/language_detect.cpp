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

// What the detector needs of a code point, from ICU: whether it is a letter, its
// lowercase, and whether its script is Latin.
struct Letter {
  char32_t lower = 0;  // 0: not a letter
  bool latin = false;
};

Letter letter_from_icu(UChar32 c) {
  if (u_isalpha(c) == 0) return {};
  UErrorCode status = U_ZERO_ERROR;
  const bool latin = uscript_getScript(c, &status) == USCRIPT_LATIN && U_SUCCESS(status);
  return {static_cast<char32_t>(u_tolower(c)), latin};
}

// The first code points (Latin, Greek, Cyrillic, Vietnamese letters...) asked of ICU once:
// titles are made of them, and three ICU calls a letter were most of the detector's time.
constexpr UChar32 table_end = 0x2000;

class LetterTable {
 public:
  LetterTable() {
    for (UChar32 c = 0; c < table_end; ++c) letters_[static_cast<std::size_t>(c)] = letter_from_icu(c);
  }
  Letter operator[](UChar32 c) const {
    return c < table_end ? letters_[static_cast<std::size_t>(c)] : letter_from_icu(c);
  }

 private:
  std::array<Letter, table_end> letters_{};
};

const LetterTable& letter_table() {
  static const LetterTable table;
  return table;
}

// The trigrams of a text's lowercase letters, every other character a word break, words
// padded with one space each side: "Giá xăng" reads as " giá  xăng " and gives " gi",
// "giá", "iá ", " xă"... ("á  " and "  x" span two words' padding: no trigram of either).
template <typename Visit>
class Trigrams {
 public:
  explicit Trigrams(Visit visit) : visit_(std::move(visit)) {}
  void letter(char32_t lower) { push(lower); }
  void word_break() {
    if (last_ == U' ') return;
    push(U' ');
    push(U' ');
  }
  void end() {
    if (last_ != U' ') push(U' ');
  }

 private:
  void push(char32_t c) {
    if (before_last_ != none && !(before_last_ == U' ' && last_ == U' '))
      visit_((std::uint64_t{before_last_} << 42U) | (std::uint64_t{last_} << 21U) | std::uint64_t{c});
    before_last_ = last_;
    last_ = c;
  }

  static constexpr char32_t none = 0;  // no letter lowercases to U+0000
  Visit visit_;
  char32_t before_last_ = none;
  char32_t last_ = U' ';
};

// Every character of `utf8` into `trigrams`; ill-formed bytes break words.
template <typename Visit>
void read_letters(std::string_view utf8, Trigrams<Visit>& trigrams) {
  const LetterTable& letters = letter_table();
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(utf8.data());
  const auto size = static_cast<std::int32_t>(utf8.size());
  for (std::int32_t i = 0; i < size;) {
    UChar32 c = 0;
    U8_NEXT(bytes, i, size, c);
    const Letter letter = c >= 0 ? letters[c] : Letter{};
    if (letter.lower != 0) {
      trigrams.letter(letter.lower);
    } else {
      trigrams.word_break();
    }
  }
  trigrams.end();
}

constexpr std::size_t latin_count = 3;
constexpr std::array<std::string_view, latin_count> latin_languages = {"vi", "en", "fr"};
using Scores = std::array<double, latin_count>;

// Every trigram the samples showed, with its log probability in each Latin language, in
// one open-addressed table: a lookup per trigram rather than a std::unordered_map's per
// language.
class TrigramProfiles {
 public:
  TrigramProfiles();
  // The log probabilities of a trigram in each language (`unseen` for one no sample showed).
  const Scores& operator[](std::uint64_t key) const {
    for (std::size_t slot = slot_of(key);; slot = (slot + 1) & mask_) {
      if (keys_[slot] == key) return log_probability_[slot];
      if (keys_[slot] == empty) return unseen_;
    }
  }

 private:
  // No trigram is three NULs: its letters and spaces are never 0.
  static constexpr std::uint64_t empty = 0;
  std::size_t slot_of(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }

  std::vector<std::uint64_t> keys_;
  std::vector<Scores> log_probability_;
  Scores unseen_{};  // a trigram the samples never showed
  unsigned shift_ = 0;
  std::size_t mask_ = 0;
};

TrigramProfiles::TrigramProfiles() {
  const std::array<std::string_view, latin_count> samples = {vietnamese_sample, english_sample,
                                                             french_sample};
  std::vector<std::unordered_map<std::uint64_t, std::size_t>> counts(latin_count);
  std::unordered_map<std::uint64_t, bool> vocabulary;
  for (std::size_t i = 0; i < latin_count; ++i) {
    Trigrams trigrams([&](std::uint64_t key) {
      ++counts[i][key];
      vocabulary[key] = true;
    });
    read_letters(samples[i], trigrams);
  }
  // At most half full, so that a trigram no sample showed is found missing within a probe
  // or two.
  unsigned bits = 1;
  while ((std::size_t{1} << bits) < 2 * vocabulary.size()) ++bits;
  shift_ = 64 - bits;
  mask_ = (std::size_t{1} << bits) - 1;
  keys_.assign(mask_ + 1, empty);
  log_probability_.resize(mask_ + 1);
  Scores denominators{};
  for (std::size_t i = 0; i < latin_count; ++i) {
    std::size_t total = 0;
    for (const auto& [key, count] : counts[i]) total += count;
    // Add-one smoothing over every trigram any sample showed, plus one for the rest.
    denominators[i] = static_cast<double>(total + vocabulary.size() + 1);
    unseen_[i] = std::log(1.0 / denominators[i]);
  }
  for (const auto& [key, seen] : vocabulary) {
    std::size_t slot = slot_of(key);
    while (keys_[slot] != empty) slot = (slot + 1) & mask_;
    keys_[slot] = key;
    for (std::size_t i = 0; i < latin_count; ++i) {
      const auto found = counts[i].find(key);
      log_probability_[slot][i] = found == counts[i].end()
                                      ? unseen_[i]
                                      : std::log(static_cast<double>(found->second + 1) / denominators[i]);
    }
  }
}

const TrigramProfiles& latin_profiles() {
  static const TrigramProfiles profiles;
  return profiles;
}

// The sum of each language's log probabilities over a text's trigrams.
struct LatinScores {
  const TrigramProfiles& profiles = latin_profiles();
  Scores sums{};
  std::size_t trigrams = 0;

  void add(std::uint64_t key) {
    ++trigrams;
    const Scores& log_probability = profiles[key];
    for (std::size_t i = 0; i < latin_count; ++i) sums[i] += log_probability[i];
  }

  std::optional<std::string_view> best() const {
    if (trigrams == 0) return std::nullopt;
    std::array<std::size_t, latin_count> order{};
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return sums[a] > sums[b]; });
    const double margin = (sums[order[0]] - sums[order[1]]) / static_cast<double>(trigrams);
    if (margin < min_margin) return std::nullopt;
    return latin_languages[order[0]];
  }
};

std::optional<std::string_view> latin_language(std::string_view utf8) {
  LatinScores scores;
  Trigrams trigrams([&](std::uint64_t key) { scores.add(key); });
  read_letters(utf8, trigrams);
  return scores.best();
}

// The script of every letter decides, for text with letters other than Latin ones.
std::optional<std::string_view> language_by_scripts(std::string_view utf8) {
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

}  // namespace

std::span<const std::string_view> detectable_languages() {
  return languages;
}

std::optional<std::string_view> detect_language(std::string_view utf8) {
  // Most titles hold Latin letters only: they are counted and scored in one reading, and
  // their scripts need no map.
  const LetterTable& letters = letter_table();
  std::size_t count = 0;
  LatinScores scores;
  Trigrams trigrams([&](std::uint64_t key) { scores.add(key); });
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(utf8.data());
  const auto size = static_cast<std::int32_t>(utf8.size());
  for (std::int32_t i = 0; i < size;) {
    UChar32 c = 0;
    U8_NEXT(bytes, i, size, c);
    const Letter letter = c >= 0 ? letters[c] : Letter{};
    if (letter.lower == 0) {
      trigrams.word_break();
      continue;
    }
    if (!letter.latin) return language_by_scripts(utf8);
    ++count;
    trigrams.letter(letter.lower);
  }
  if (count < min_letters) return std::nullopt;
  trigrams.end();
  return scores.best();
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
