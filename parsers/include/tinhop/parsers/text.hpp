// Text normalization shared by every parser and by later stages (dedup, rendering).
#pragma once

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

}  // namespace tinhop
