// Language tags as BCP 47 writes them, through ICU.
#include <unicode/uloc.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "mapping.hpp"

namespace tinhop::detail {

std::optional<std::string> bcp47_language(std::string_view written) {
  std::string tag(written);
  // POSIX locale names ("en_US") are the one common misspelling: the same subtags.
  std::replace(tag.begin(), tag.end(), '_', '-');
  const bool tag_characters =
      !tag.empty() && tag.size() < ULOC_FULLNAME_CAPACITY && std::all_of(tag.begin(), tag.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
      });
  // A language is 2-3 letters ("en", "vie"); the 5-8 letter form BCP 47 reserves has no
  // registered value, and reading "English" as one would invent a language.
  const std::size_t primary = tag.find('-') == std::string::npos ? tag.size() : tag.find('-');
  const bool private_use = primary == 1 && (tag[0] == 'x' || tag[0] == 'X');
  if (!tag_characters || (!private_use && (primary < 2 || primary > 3))) return std::nullopt;
  UErrorCode status = U_ZERO_ERROR;
  std::array<char, ULOC_FULLNAME_CAPACITY> locale{};
  int32_t parsed = 0;
  uloc_forLanguageTag(tag.c_str(), locale.data(), static_cast<int32_t>(locale.size()), &parsed, &status);
  // A tag ICU reads only a prefix of ("en-", "vi-VN-x") is not well-formed.
  if (U_FAILURE(status) || parsed != static_cast<int32_t>(tag.size()) || locale[0] == '\0')
    return std::nullopt;
  // Subtags are case-insensitive (RFC 5646 section 2.1.1): the language is lowered, the
  // rest kept as written ("en-us" stays, as feedparser and its test suite report it).
  std::transform(tag.begin(), tag.begin() + static_cast<std::ptrdiff_t>(primary), tag.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return tag;
}

}  // namespace tinhop::detail
