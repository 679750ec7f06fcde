// The two recovery steps for XML that pugixml refuses.
#pragma once

#include <pugixml.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace tinhop::xml {

// A copy of `text` with the local damage pugixml cannot read fixed: unquoted attribute
// values quoted, raw '&' and '<' in attribute values escaped, a '<' that starts no tag
// escaped. Comments, CDATA sections and the DOCTYPE are copied unchanged.
std::string repair_markup(std::string_view text);

// Builds a tree from anything tag-shaped, the way a browser's tag soup reader does:
// unknown end tags are dropped, a mismatched end tag closes the elements it skips,
// elements left open at the end are closed, a truncated tag is dropped. Character data
// is stored as written (entities undecoded), like the strict path. False when elements
// nest deeper than `max_depth`.
bool read_tag_soup(std::string_view text, pugi::xml_document& document, std::size_t max_depth);

// What pugixml reads without a word but XML 1.0 forbids, found in `text`: white space
// before the XML declaration, an '&' that starts no reference (in text or in an attribute
// value; CDATA sections, comments and the DOCTYPE may hold any). One warning per kind,
// none for a well-formed document.
std::vector<std::string> tolerated_errors(std::string_view text);

}  // namespace tinhop::xml
