// Which language a text is written in, told from its letters alone. Pure and thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tinhop {

// The languages detect_language can name, as BCP 47 primary subtags:
// vi, en, fr (Latin script, told apart by character trigrams) and zh, ru, km, lo (each
// told by its script: Han, Cyrillic, Khmer, Lao).
std::span<const std::string_view> detectable_languages();

// The language of `utf8` (NFC), or nullopt when it has fewer than a dozen letters, is
// mostly in a script none of the languages uses (Japanese kana, Thai, Arabic...) or its
// Latin letters fit no profile clearly better than the others. Latin text is scored
// against trigram profiles built from sample sentences kept in the library
// (parsers/src/language_samples.inc); docs/rules.md says how accurate it is.
std::optional<std::string_view> detect_language(std::string_view utf8);

// The language an item is stored with: the detected one when the declared tag (the
// entry's, else the feed's) is missing or names a detectable language other than the
// one its text is in ("en" on a Vietnamese title); else the declared tag as written.
std::optional<std::string> settle_language(std::string_view text, const std::optional<std::string>& declared);

}  // namespace tinhop
