// Link resolution for feed URLs (Boost.URL).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tinhop {

// An IRI or sloppy URL as a valid URI reference: surrounding white space trimmed, inner
// line breaks removed, non-ASCII bytes and characters URIs forbid percent-encoded (so
// Vietnamese paths stay valid), existing %XX escapes kept.
std::string iri_to_uri(std::string_view iri);

// `reference` resolved against `base` (RFC 3986 section 5). An absolute reference is
// returned as a URI; nullopt when the result would not be absolute (no usable base).
std::optional<std::string> resolve_url(std::string_view base, std::string_view reference);

// True when `text` parses as an absolute URI with a scheme.
bool is_absolute_url(std::string_view text);

}  // namespace tinhop
