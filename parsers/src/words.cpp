#include "tinhop/parsers/words.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

namespace tinhop {
namespace {

bool written_without_spaces(UChar32 c) {
  UErrorCode status = U_ZERO_ERROR;
  switch (uscript_getScript(c, &status)) {
    case USCRIPT_HAN:
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_THAI:
    case USCRIPT_LAO:
    case USCRIPT_KHMER:
    case USCRIPT_MYANMAR: return true;
    default: return false;
  }
}

struct Folded {
  std::string text;
  WordPart part = WordPart::separator;
};

Folded fold_with_icu(UChar32 c) {
  Folded out;
  const auto type = u_charType(c);
  if (written_without_spaces(c)) {
    out.part = WordPart::alone;
  } else if (u_isalnum(c) || type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK) {
    out.part = WordPart::letter;
  }
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  icu::UnicodeString decomposed;
  if (U_FAILURE(status) || !nfd->getDecomposition(c, decomposed)) decomposed = icu::UnicodeString(c);
  icu::UnicodeString folded;
  for (int32_t i = 0; i < decomposed.length();) {
    const UChar32 part = decomposed.char32At(i);
    i += U16_LENGTH(part);
    if (u_charType(part) == U_NON_SPACING_MARK) continue;
    // Đ/đ have no decomposition: Vietnamese readers type them as d.
    folded.append(part == 0x0110 || part == 0x0111 ? UChar32{'d'} : u_foldCase(part, U_FOLD_CASE_DEFAULT));
  }
  folded.toUTF8String(out.text);
  return out;
}

// Code points below this (Latin with Vietnamese, Greek, Cyrillic, the scripts of South and
// South-East Asia) are folded once into a table: a document's text is then folded at a
// lookup per character, not an ICU normalization per field.
constexpr UChar32 kTabled = 0x3000;

}  // namespace

FoldedCodePoint fold_code_point(char32_t code_point) {
  static const std::vector<Folded> table = [] {
    std::vector<Folded> t(static_cast<std::size_t>(kTabled));
    for (UChar32 c = 0; c < kTabled; ++c) t[static_cast<std::size_t>(c)] = fold_with_icu(c);
    return t;
  }();
  const UChar32 c = code_point > 0x10FFFF ? 0xFFFD : static_cast<UChar32>(code_point);
  if (c < kTabled) {
    const Folded& f = table[static_cast<std::size_t>(c)];
    return {f.text, f.part};
  }
  thread_local Folded scratch;
  scratch = fold_with_icu(c);
  return {scratch.text, scratch.part};
}

namespace {

// Calls visit(FoldedCodePoint) for each code point of `utf8` (U+FFFD for invalid bytes).
template <typename Visit>
void each_folded(std::string_view utf8, Visit visit) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(utf8.data());
  const auto length = static_cast<int32_t>(utf8.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c = bytes[i];
    if (c < 0x80) {
      ++i;
    } else {
      U8_NEXT(bytes, i, length, c);
    }
    visit(fold_code_point(c < 0 ? 0xFFFD : static_cast<char32_t>(c)));
  }
}

}  // namespace

std::string fold(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  each_folded(utf8, [&](const FoldedCodePoint& f) { out += f.text; });
  return out;
}

void each_folded_word(std::string_view utf8, const std::function<void(std::string_view)>& visit) {
  std::string word;
  auto end_word = [&] {
    if (word.empty()) return;
    visit(word);
    word.clear();
  };
  each_folded(utf8, [&](const FoldedCodePoint& f) {
    if (f.part == WordPart::separator) {
      end_word();
      return;
    }
    if (f.part == WordPart::alone) end_word();
    word += f.text;
    if (f.part == WordPart::alone) end_word();
  });
  end_word();
}

std::vector<std::string> folded_words(std::string_view utf8) {
  std::vector<std::string> words;
  each_folded_word(utf8, [&](std::string_view word) { words.emplace_back(word); });
  return words;
}

}  // namespace tinhop
