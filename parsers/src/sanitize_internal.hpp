// Shared by the sanitizer's translation units: gumbo parsing with RAII and escaping.
#pragma once

#include <gumbo.h>

#include <memory>
#include <string>
#include <string_view>

namespace tinhop::detail {

struct GumboDeleter {
  void operator()(GumboOutput* output) const noexcept { gumbo_destroy_output(&kGumboDefaultOptions, output); }
};

// A parsed document and its <body> (null only if gumbo failed to allocate).
struct ParsedBody {
  std::unique_ptr<GumboOutput, GumboDeleter> output;
  const GumboNode* body = nullptr;
};

// Parses `html` as the content of a document's body.
ParsedBody parse_body(std::string_view html);

// Appends text escaped for an HTML/XML text node; drops C0 controls other than tab, LF, CR.
void append_escaped_text(std::string& out, std::string_view text);

// Appends text escaped for a double-quoted attribute value.
void append_escaped_attribute(std::string& out, std::string_view text);

// Upper bound of the element nesting the HTML5 parser would build: start tags minus end
// tags, void elements not counted. gumbo's cost grows with the square of the depth, so a
// crafted "<span>" x 100k must never reach it.
std::size_t estimated_depth(std::string_view html);

// Every tag removed (a space between words that tags separated): text, which parses in
// linear time.
std::string without_tags(std::string_view html);

}  // namespace tinhop::detail
