// Text helpers private to the parsers library.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tinhop {

// Whether every byte is ASCII, stopping at the first that is not (Vietnamese text stops
// within a word; a link or an id is read to its end, eight bytes at a time).
bool is_ascii(std::string_view bytes);

// Appends the UTF-8 form of a code point; surrogates, NUL and out-of-range become U+FFFD.
void append_code_point(std::string& out, std::uint32_t code);

struct Utf8Scan {
  bool valid = true;  // well-formed UTF-8
  bool nfc = true;    // certainly NFC (false: maybe not; ICU decides)
};

// One pass over the text: validity, and whether it is made only of characters that are
// NFC in any order (most text), so that ICU is needed only for the rest.
Utf8Scan scan_utf8(std::string_view text);

// NFC in place. Ill-formed UTF-8 is repaired (U+FFFD) and false returned.
bool nfc_in_place(std::string& utf8);

// Repairs UTF-8 that was read as windows-1252 (or Latin-1) and encoded again
// ("ActualitÃ©s": "Actualités"), in place, and returns true, only when the whole text
// encodes to windows-1252 and those bytes are well-formed UTF-8 with a multi-byte
// character in them; any other text is left as it is.
bool repair_mojibake(std::string& utf8);

// HTML5's reading of &#128;..&#159;: the windows-1252 character at that byte.
std::uint32_t windows_1252_fixup(std::uint32_t code);

}  // namespace tinhop
