// Charset detection and transcoding to UTF-8: a pure step before any markup parser.
// Order of evidence: byte-order mark, then valid UTF-8, then the HTTP charset, then the
// XML declaration (RFC 7303 section 3.2, but for valid UTF-8). A declaration contradicted
// by the bytes loses, with a warning; so does a signal that would have read the bytes
// otherwise than the one that won.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tinhop {

// The charset parameter of a Content-Type header ("text/xml; charset=UTF-8" -> "UTF-8").
std::optional<std::string> charset_from_content_type(std::string_view content_type);

// The encoding="..." of an XML declaration at the start of `bytes` (ASCII-compatible
// documents only), as written.
std::optional<std::string> charset_from_xml_declaration(std::string_view bytes);

// True when `bytes` is well-formed UTF-8 (no overlongs, surrogates or values > U+10FFFF).
bool is_valid_utf8(std::string_view bytes);

// The lowercase IANA name of a charset label ("Latin-1" -> "iso-8859-1"), or nullopt
// when ICU knows no converter for it.
std::optional<std::string> canonical_charset(std::string_view label);

struct DecodedText {
  std::string_view text;              // UTF-8, BOM removed, not yet NFC: into the input or `storage`
  std::string storage;                // the transcoded text when the input was not UTF-8
  std::string encoding;               // what the bytes were decoded from, lowercase IANA
  std::vector<std::string> warnings;  // lying declarations, replaced invalid bytes
};

// Decides the charset of a document and transcodes it to UTF-8 (ICU). Never fails:
// undecodable bytes become U+FFFD with a warning. UTF-8 input is not copied: the result
// then points into `bytes`. Bytes declared UTF-8 are trusted without a validation pass
// (the hot path), so `text` may then hold ill-formed sequences: validate what you keep.
DecodedText decode_document(std::string_view bytes, std::string_view content_type);

}  // namespace tinhop
