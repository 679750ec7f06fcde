// Pieces of the HTML listing reader shared between its source files.
#pragma once

#include <pugixml.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/parsers/date.hpp"
#include "tinhop/parsers/html_listing.hpp"

namespace tinhop::html_detail {

// A page as a pugixml tree of its HTML5 parse (no script/style bodies, no comments).
struct HtmlTree {
  pugi::xml_document document;
  std::string encoding;
  std::vector<std::string> warnings;
};

// Decodes the bytes (BOM, valid UTF-8, HTTP charset, <meta charset>) and parses them with
// gumbo into `tree`. Refuses pages over the byte or depth limit.
HtmlError build_tree(std::string_view bytes, std::string_view content_type, const HtmlLimits& limits,
                     HtmlTree& tree, std::string& message);

// The visible text below a node: block boundaries become spaces, white space collapsed,
// NFC.
std::string node_text(pugi::xml_node node);

// A candidate date string; `machine` when it comes from an attribute meant for programs
// (an epoch there is a date; in text "0912345678" is a phone number).
struct DateText {
  std::string text;
  bool machine = false;
};

// An element's candidate date strings: its datetime, data-time, data-timestamp,
// data-date, content and title attributes, then its text.
void date_strings(pugi::xml_node node, std::vector<DateText>& out);

// A date somewhere in a candidate: the whole text, else each part between separators
// ("02/08/2019 | 341"), else what follows a label ("Cập nhật: 14/09/2026"). `format`, when
// not empty, is tried before the date module's table.
std::optional<ParsedDate> date_in_text(const DateText& candidate, const DateContext& context,
                                       std::string_view format);

// A selector compiled for pugixml; `text` keeps what the user wrote for messages.
struct CompiledSelector {
  std::string text;
  std::optional<pugi::xpath_query> query;  // empty: find it automatically
};

// Compiles one selector (XPath or CSS); nullopt with `message` set when it is invalid.
std::optional<CompiledSelector> compile_selector(std::string_view selector, bool relative,
                                                 std::string& message);

struct CompiledSelectors {
  CompiledSelector item, title, link, date, summary, image;
  std::string date_format;
};

std::optional<CompiledSelectors> compile_selectors(const HtmlSelectors& selectors, std::string& message);

// The items of an already built page.
ParseResult extract(const HtmlTree& tree, const ParseContext& context, const CompiledSelectors& selectors,
                    const HtmlLimits& limits);

// The page's URL for resolving links: <base href> against context.url, else context.url,
// else the page's own canonical link or og:url (a saved page read from a file).
std::string page_base(const HtmlTree& tree, const ParseContext& context);

// A link target worth following: not empty, "#...", javascript:, mailto: or tel:.
bool is_article_href(std::string_view href);

}  // namespace tinhop::html_detail
