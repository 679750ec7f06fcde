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
#include <map>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
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

// Trigrams are scored by lowercase letters numbered densely rather than by code points, so
// that the profile tables can be indexed by them directly and stay small enough for the
// cache. Every letter the samples do not use shares one number: no trigram holding one is in
// any profile, whichever letter it is.
using LetterCode = std::uint8_t;
constexpr LetterCode no_letter = 0;  // a word break: a non-letter or an ill-formed byte
constexpr LetterCode space = 1;      // the padding around words
constexpr LetterCode unsampled = 2;  // a letter no sample shows
constexpr LetterCode first_sampled = 3;

// What the detector needs of a code point, as the letter table holds it.
struct CodedLetter {
  LetterCode code = no_letter;
  bool latin = false;
};

// The first code points (Latin, Greek, Cyrillic, Vietnamese letters...) asked of ICU once:
// titles are made of them, and three ICU calls a letter were most of the detector's time.
constexpr UChar32 table_end = 0x2000;

class Alphabet {
 public:
  Alphabet();
  CodedLetter operator[](UChar32 c) const {
    return c < table_end ? letters_[static_cast<std::size_t>(c)] : coded(letter_from_icu(c));
  }
  // For a code point known to be below table_end.
  CodedLetter tabled(std::uint32_t c) const { return letters_[c]; }
  // How many codes there are, no_letter, space and unsampled counted.
  std::size_t codes() const { return first_sampled + sampled_.size(); }

 private:
  CodedLetter coded(Letter letter) const;

  std::vector<char32_t> sampled_;  // the lowercase letters of the samples, by code
  std::array<CodedLetter, table_end> letters_{};
};

Alphabet::Alphabet() {
  for (const std::string_view sample : {vietnamese_sample, english_sample, french_sample}) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(sample.data());
    const auto size = static_cast<std::int32_t>(sample.size());
    for (std::int32_t i = 0; i < size;) {
      UChar32 c = 0;
      U8_NEXT(bytes, i, size, c);
      const Letter letter = c >= 0 ? letter_from_icu(c) : Letter{};
      if (letter.lower != 0 && std::find(sampled_.begin(), sampled_.end(), letter.lower) == sampled_.end())
        sampled_.push_back(letter.lower);
    }
  }
  if (sampled_.size() + first_sampled > 0x100) throw std::length_error("language samples: too many letters");
  for (UChar32 c = 0; c < table_end; ++c) letters_[static_cast<std::size_t>(c)] = coded(letter_from_icu(c));
}

CodedLetter Alphabet::coded(Letter letter) const {
  if (letter.lower == 0) return {};
  const auto found = std::find(sampled_.begin(), sampled_.end(), letter.lower);
  const auto code = found == sampled_.end() ? unsampled : first_sampled + (found - sampled_.begin());
  return {static_cast<LetterCode>(code), letter.latin};
}

const Alphabet& alphabet() {
  static const Alphabet table;
  return table;
}

// A character read from UTF-8: the letter it is, if any, and how many bytes it took.
struct Read {
  CodedLetter letter;
  std::int32_t length = 0;
};

// The character `bytes` starts with (`size` > 0) if the letter table holds it, else a length
// of 0. Titles are nearly all such characters: decoding them here rather than with U8_NEXT
// saves most of its branches. Decoding only well-formed sequences, it reads them as U8_NEXT
// would.
inline Read read_tabled_letter(const Alphabet& letters, const std::uint8_t* bytes, std::int32_t size) {
  const std::uint32_t lead = bytes[0];
  if (lead < 0x80) return {letters.tabled(lead), 1};
  if (lead >= 0xC2 && lead < 0xE0 && size >= 2) {
    const std::uint32_t trail = bytes[1] ^ 0x80U;
    if (trail < 0x40) return {letters.tabled(((lead & 0x1FU) << 6U) | trail), 2};
  } else if (lead >= 0xE0 && lead < 0xF0 && size >= 3) {
    const std::uint32_t trail1 = bytes[1] ^ 0x80U;
    const std::uint32_t trail2 = bytes[2] ^ 0x80U;
    const std::uint32_t c = ((lead & 0x0FU) << 12U) | (trail1 << 6U) | trail2;
    // Below 0x800 it would be an overlong form.
    if (trail1 < 0x40 && trail2 < 0x40 && c >= 0x800 && c < table_end) return {letters.tabled(c), 3};
  }
  return {};
}

// Any other character, and ill-formed sequences, whose length U8_NEXT decides.
Read read_letter_by_icu(const Alphabet& letters, const std::uint8_t* bytes, std::int32_t size) {
  std::int32_t length = 0;
  UChar32 c = 0;
  U8_NEXT(bytes, length, size, c);
  return {c >= 0 ? letters[c] : CodedLetter{}, length};
}

// Every character of `utf8` to `take` (as no_letter if not a letter or ill-formed) until it
// returns false; whether none did.
template <typename Take>
bool read_letters(std::string_view utf8, Take take) {
  const Alphabet& letters = alphabet();
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(utf8.data());
  const auto size = static_cast<std::int32_t>(utf8.size());
  for (std::int32_t i = 0; i < size;) {
    // The tabled characters in a loop of their own, without calls: the caller's state, such
    // as floating-point sums, can stay in registers through it, which every call clobbers.
    for (Read read; i < size && (read = read_tabled_letter(letters, bytes + i, size - i)).length != 0;) {
      i += read.length;
      if (!take(read.letter)) return false;
    }
    if (i == size) break;
    const Read read = read_letter_by_icu(letters, bytes + i, size - i);
    i += read.length;
    if (!take(read.letter)) return false;
  }
  return true;
}

// The trigrams of a text's lowercase letters, every other character a word break, words
// padded with one space each side: "Giá xăng" reads as " giá  xăng " and gives " gi",
// "giá", "iá ", "á  ", " xă"... ("  x" starts after two spaces: no trigram).
template <typename Visit>
class Trigrams {
 public:
  explicit Trigrams(Visit visit) : visit_(std::move(visit)) {}
  // Spaces come in twos but at the end, so the last character being a space says that the
  // one before it is one too: the letter starts a word.
  void letter(LetterCode code) {
    if (last_ != space) visit_(before_last_, last_, code);
    before_last_ = last_;
    last_ = code;
  }
  void word_break() {
    if (last_ == space) return;
    visit_(before_last_, last_, space);
    visit_(last_, space, space);
    before_last_ = space;
    last_ = space;
  }
  void end() {
    if (last_ != space) visit_(before_last_, last_, space);
  }
  const Visit& visitor() const { return visit_; }

 private:
  Visit visit_;
  // The text starts as if after a word break.
  LetterCode before_last_ = space;
  LetterCode last_ = space;
};

// Every character of `utf8` into `trigrams`; ill-formed bytes break words.
template <typename Visit>
void read_trigrams(std::string_view utf8, Trigrams<Visit>& trigrams) {
  read_letters(utf8, [&](CodedLetter letter) {
    if (letter.code != no_letter) {
      trigrams.letter(letter.code);
    } else {
      trigrams.word_break();
    }
    return true;
  });
  trigrams.end();
}

constexpr std::size_t latin_count = 3;
constexpr std::array<std::string_view, latin_count> latin_languages = {"vi", "en", "fr"};
using Scores = std::array<double, latin_count>;

// Every trigram the samples showed, with its log probability in each Latin language. The
// trigrams following each pair of codes make a row, one cell per third code; the rows are
// laid over one another at offsets where their trigrams do not collide, and each cell names
// the pair whose trigram it holds (row displacement, as in compressed parser tables). A
// lookup reads the pair's offset, then a cell, and picks its scores or the unseen ones:
// no probing, no branch for hits and misses to mispredict, and the offsets and owners fit
// the first-level cache.
class TrigramProfiles {
 public:
  TrigramProfiles();
  // The log probabilities of a trigram in each language.
  const Scores& operator()(LetterCode first, LetterCode second, LetterCode third) const {
    const std::uint32_t pair = pair_of(first, second);
    const std::size_t cell = offsets_[pair] + std::size_t{third};
    // A product where a choice would do, as the compiler turns that choice into a branch.
    return log_probability_[cell * std::size_t{owners_[cell] == pair}];
  }

 private:
  std::uint32_t pair_of(LetterCode first, LetterCode second) const { return first * codes_ + second; }

  static constexpr std::uint32_t no_pair = UINT32_MAX;
  // A cell no trigram takes, as none ends in a word break (pairs start at offsets from 0):
  // it holds the scores of the trigrams no sample showed.
  static constexpr std::size_t unseen = 0;
  std::uint32_t codes_ = 0;
  std::vector<std::uint32_t> offsets_;   // by pair
  std::vector<std::uint32_t> owners_;    // by cell: its trigram's first two codes, or no_pair
  std::vector<Scores> log_probability_;  // by cell
};

TrigramProfiles::TrigramProfiles() : codes_(static_cast<std::uint32_t>(alphabet().codes())) {
  const std::array<std::string_view, latin_count> samples = {vietnamese_sample, english_sample,
                                                             french_sample};
  // By pair, then third code: how often each sample shows the trigram.
  std::map<std::uint32_t, std::map<LetterCode, std::array<std::size_t, latin_count>>> counts;
  std::array<std::size_t, latin_count> totals{};
  for (std::size_t i = 0; i < latin_count; ++i) {
    Trigrams trigrams([&](LetterCode first, LetterCode second, LetterCode third) {
      ++counts[pair_of(first, second)][third][i];
      ++totals[i];
    });
    read_trigrams(samples[i], trigrams);
  }
  // The pairs, longest rows first, while there is most room for them.
  std::size_t vocabulary = 0;
  std::vector<std::uint32_t> pairs;
  for (const auto& [pair, row] : counts) {
    vocabulary += row.size();
    pairs.push_back(pair);
  }
  std::stable_sort(pairs.begin(), pairs.end(), [&](std::uint32_t a, std::uint32_t b) {
    return counts.at(a).size() > counts.at(b).size();
  });
  offsets_.assign(std::size_t{codes_} * codes_, 0);
  owners_.assign(codes_, no_pair);
  for (const std::uint32_t pair : pairs) {
    std::vector<std::size_t> thirds;
    for (const auto& [third, seen] : counts.at(pair)) thirds.push_back(third);
    const auto fits = [&](std::size_t offset) {
      return std::all_of(thirds.begin(), thirds.end(), [&](std::size_t third) {
        return offset + third >= owners_.size() || owners_[offset + third] == no_pair;
      });
    };
    std::size_t offset = 0;
    while (!fits(offset)) ++offset;
    if (owners_.size() < offset + codes_) owners_.resize(offset + codes_, no_pair);
    offsets_[pair] = static_cast<std::uint32_t>(offset);
    for (const std::size_t third : thirds) owners_[offset + third] = pair;
  }
  log_probability_.resize(owners_.size());
  for (std::size_t i = 0; i < latin_count; ++i) {
    // Add-one smoothing over every trigram any sample showed, plus one for the rest.
    const auto denominator = static_cast<double>(totals[i] + vocabulary + 1);
    const double unseen_log_probability = std::log(1.0 / denominator);
    log_probability_[unseen][i] = unseen_log_probability;
    for (const auto& [pair, row] : counts) {
      for (const auto& [third, seen] : row) {
        log_probability_[offsets_[pair] + third][i] =
            seen[i] == 0 ? unseen_log_probability : std::log(static_cast<double>(seen[i] + 1) / denominator);
      }
    }
  }
}

const TrigramProfiles& latin_profiles() {
  static const TrigramProfiles profiles;
  return profiles;
}

// `sums[i] += addends[i]` for every language, unrolled by hand: indexes constant from the
// start let the compiler keep each sum in a register, where a loop leaves them in memory.
template <std::size_t... language>
void add_each(Scores& sums, const Scores& addends, std::index_sequence<language...> /*languages*/) {
  ((sums[language] += addends[language]), ...);
}

// The sum of each language's log probabilities over a text's trigrams, as Trigrams visits
// them. Trigrams holds it by value, and it is read by value, so that its address is never
// taken and the sums stay in registers while added.
struct LatinScores {
  const TrigramProfiles* profiles = &latin_profiles();
  Scores sums{};
  std::size_t trigrams = 0;

  void operator()(LetterCode first, LetterCode second, LetterCode third) {
    ++trigrams;
    add_each(sums, (*profiles)(first, second, third), std::make_index_sequence<latin_count>{});
  }
};

// The language whose profile fits best, if by enough.
std::optional<std::string_view> best_language(const LatinScores scores) {
  if (scores.trigrams == 0) return std::nullopt;
  const Scores& sums = scores.sums;
  std::array<std::size_t, latin_count> order{};
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return sums[a] > sums[b]; });
  const double margin = (sums[order[0]] - sums[order[1]]) / static_cast<double>(scores.trigrams);
  if (margin < min_margin) return std::nullopt;
  return latin_languages[order[0]];
}

std::optional<std::string_view> latin_language(std::string_view utf8) {
  Trigrams trigrams{LatinScores{}};
  read_trigrams(utf8, trigrams);
  return best_language(trigrams.visitor());
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
  std::size_t count = 0;
  Trigrams trigrams{LatinScores{}};
  const bool latin_only = read_letters(utf8, [&](CodedLetter letter) {
    if (letter.code == no_letter) {
      trigrams.word_break();
      return true;
    }
    if (!letter.latin) return false;
    ++count;
    trigrams.letter(letter.code);
    return true;
  });
  if (!latin_only) return language_by_scripts(utf8);
  if (count < min_letters) return std::nullopt;
  trigrams.end();
  return best_language(trigrams.visitor());
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
