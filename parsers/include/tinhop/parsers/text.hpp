// Text normalization shared by every parser and by later stages (dedup, rendering).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tinhop {

// The text in Unicode NFC; invalid UTF-8 sequences become U+FFFD.
std::string to_nfc(std::string_view utf8);

// Replaces character references: numeric (&#233; &#xE9;) and every HTML5 named reference
// (&amp; &nbsp; &eacute; ...). Unknown names and malformed references stay as written;
// invalid code points become U+FFFD.
std::string decode_entities(std::string_view text);

// True when `text` still holds something decode_entities would replace.
bool has_entities(std::string_view text);

// Trims white space (ASCII, U+00A0, U+202F, U+2009, U+3000 ...) at both ends, collapses
// each run of ASCII white space inside into one space, keeps the Unicode spaces inside
// (a typed U+00A0 is meant), and drops C0 control characters.
std::string collapse_whitespace(std::string_view text);

// Plain text of an HTML fragment: tags, comments and script/style bodies dropped, block
// boundaries (<br>, </p>, ...) become spaces, entities decoded, white space collapsed.
std::string strip_html_to_text(std::string_view html);

// Cuts well-formed UTF-8 `text` that holds more than `max_chars` (at least 1) code points
// to at most that many, the last being "…". The cut falls on a grapheme-cluster boundary
// (ICU), so a letter never loses its accents nor a flag half of itself. True when cut.
bool truncate_text(std::string& text, std::size_t max_chars);

}  // namespace tinhop
