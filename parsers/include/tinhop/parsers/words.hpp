// Words as readers type them: folded (no case, no diacritics, đ read as d) so that
// "hoi nghi" finds "Hội Nghị". Shared by the editorial rules and the store's search, so
// that a word matches the same text wherever it is looked for. Pure; ICU does the folding.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tinhop {

// What one code point is to words.
enum class WordPart : std::uint8_t {
  separator,  // ends a word: space, punctuation, symbols
  letter,     // part of a word: letters, digits, marks
  alone,      // a word by itself: a character of a script written without spaces
              // (Han, kana, Thai, Lao, Khmer, Myanmar), so a phrase of them matches as a
              // substring does
};

struct FoldedCodePoint {
  // UTF-8: the canonical decomposition without its nonspacing marks, case folded, đ/Đ as d.
  // Valid until the thread's next call for a code point above U+2FFF; below, for good.
  std::string_view text;
  WordPart part = WordPart::separator;
};

// `c` folded (a negative or out-of-range value reads as U+FFFD).
FoldedCodePoint fold_code_point(char32_t c);

// The text folded, separators kept as they are folded: "Hội Nghị" -> "hoi nghi". Invalid
// UTF-8 reads as U+FFFD.
std::string fold(std::string_view utf8);

// The folded words of `utf8`, in order: runs of letters and digits, and each character of
// a script written without spaces.
std::vector<std::string> folded_words(std::string_view utf8);

// The same words, each passed to `visit` (the view lasts until visit returns), without a
// string per word.
void each_folded_word(std::string_view utf8, const std::function<void(std::string_view)>& visit);

}  // namespace tinhop
