// Sites with no feed: items scraped from an HTML listing page with per-source selectors.
// The page is parsed as HTML5 (gumbo) into a pugixml tree, so selectors are XPath 1.0,
// or CSS selectors compiled to XPath.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tinhop/parsers/model.hpp"

namespace tinhop {

// What to pick out of a page. `item` is evaluated against the document; the others
// against each item node. Each is XPath when it starts with '/', '.', '(' or "xpath:",
// CSS otherwise ("css:" forces CSS). Empty means "find it": the first link with text for
// title and link, machine dates then date-like text for date, the first image for image.
struct HtmlSelectors {
  std::string item;
  std::string title;
  std::string link;
  std::string date;
  std::string summary;
  std::string image;
  // A fixed layout for the date text ("%d/%m/%Y %H:%M", see parse_date_format), tried
  // before the date module's table.
  std::string date_format;
  friend bool operator==(const HtmlSelectors&, const HtmlSelectors&) = default;
};

// Each selector's key (in a one-line spec, a config file, the database's JSON and OPML)
// with its field, in one table so every format names them alike.
inline constexpr std::array<std::pair<std::string_view, std::string HtmlSelectors::*>, 7>
    html_selector_fields{{
        {"item", &HtmlSelectors::item},
        {"title", &HtmlSelectors::title},
        {"link", &HtmlSelectors::link},
        {"date", &HtmlSelectors::date},
        {"summary", &HtmlSelectors::summary},
        {"image", &HtmlSelectors::image},
        {"date_format", &HtmlSelectors::date_format},
    }};

// Selectors written on one line, as in a source's configuration and on the command line:
// "item=article.story; title=h2 a; date=time; date_format=%d/%m/%Y %H:%M". Keys are the
// HtmlSelectors fields; ';' separates them (so selectors cannot contain ';'). nullopt,
// with `message`, on an unknown key or a part without '='.
std::optional<HtmlSelectors> parse_selector_spec(std::string_view spec, std::string& message);

// The one-line form parse_selector_spec reads; empty fields are left out.
std::string format_selector_spec(const HtmlSelectors& selectors);

// Hard limits on what one page may cost.
struct HtmlLimits {
  std::size_t max_bytes = 8 * 1024 * 1024;  // larger pages are refused
  std::size_t max_depth = 2000;             // deeper element nesting is refused
  std::size_t max_items = 1000;             // items beyond this are dropped, with a warning
  std::size_t max_title_chars = 1000;       // longer titles are cut with "…", as in feeds
  // Memory the page's decoded text, HTML5 tree and its pugixml copy may hold at once, as
  // for feeds (ParseLimits): memory_ratio times the page, at least memory_floor. A page
  // that does not fit is refused (over_memory_budget). The floor is higher than a feed's:
  // gumbo's tree and the copy take 9-20 times a real page (a 68 KB portal page 9.4x, a
  // listing of bare links 20x), so real pages live under the floor and the ratio bounds
  // only what large pages may cost (tiny elements cost 74x).
  std::size_t memory_ratio = 4;  // 0: no budget at all
  std::size_t memory_floor = 16U << 20U;
};

// Why a page yielded no result at all.
enum class HtmlError {
  none,
  bad_selector,        // a selector is neither valid XPath nor a supported CSS selector
  too_large,           // the page exceeds HtmlLimits::max_bytes
  too_deep,            // element nesting exceeds HtmlLimits::max_depth
  over_memory_budget,  // the page's trees would not fit in the memory budget (HtmlLimits)
};

struct HtmlListingOutcome {
  HtmlError error = HtmlError::none;
  std::string message;  // for an error: what and where (which selector)
  ParseResult result;   // format html, path html; meaningful when error == none
};

// Extracts the items of a listing page. Links are made absolute against <base href> and
// context.url (a page read without its address: its canonical link or og:url); dates come from machine
// attributes (datetime, data-time, title, content) before text, relative ones ("25 ngày trước") are read
// against context.now and marked approximate; undated cards get context.now, marked approximate; items
// repeated on one page (same link) are merged. Zero matches is a result with a warning, not an error.
HtmlListingOutcome parse_html_listing(std::string_view bytes, const ParseContext& context,
                                      const HtmlSelectors& selectors, const HtmlLimits& limits = {});

// A CSS selector as XPath 1.0: type, *, .class, #id, [attr], [attr=v], [attr~=v],
// [attr^=v], [attr$=v], [attr*=v], descendant and child (>) combinators, groups (,).
// `relative` makes it search below the context node. nullopt for anything else.
std::optional<std::string> css_to_xpath(std::string_view css, bool relative);

// One proposal for a page, with what it extracted when tried.
struct SelectorSuggestion {
  HtmlSelectors selectors;      // CSS, ready for a source's configuration
  std::size_t items = 0;        // items extracted with these selectors
  std::size_t dated_items = 0;  // of which carry a date read from the page
  std::string reason;           // why this structure was chosen
};

// Proposes selectors from the page's repeated link structure (cards sharing a tag and
// class, each with one article link), best first; each was verified by extraction.
std::vector<SelectorSuggestion> suggest_selectors(std::string_view bytes, const ParseContext& context,
                                                  const HtmlLimits& limits = {});

// The body of one article page, for sources that follow each new item's link once.
struct ArticleOptions {
  std::string content;  // selector of the body element; empty: the densest block of paragraphs
  std::size_t max_content_bytes = 256 * 1024;  // longer bodies are cut at an element boundary
};

struct Article {
  std::optional<std::string> title;    // og:title, else the first <h1>, else <title>
  std::optional<std::string> content;  // the body as HTML, not yet sanitized
  std::optional<Instant> published;    // article:published_time, <time datetime>, dated text
  bool published_approximate = false;
  std::vector<std::string> warnings;
};

struct ArticleOutcome {
  HtmlError error = HtmlError::none;
  std::string message;
  Article article;
};

// Extracts an article page's title, body and date. No body found is a warning, not an
// error; over-limit pages and invalid selectors are errors as in parse_html_listing.
ArticleOutcome extract_article(std::string_view bytes, const ParseContext& context,
                               const ArticleOptions& options = {}, const HtmlLimits& limits = {});

}  // namespace tinhop
