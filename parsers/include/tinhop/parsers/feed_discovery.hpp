// Feed autodiscovery: which feeds a web page offers, so that an admin may paste a site's
// address instead of its feed's. Pure: the page's bytes in, candidate URLs out; the caller
// fetches them to keep only those that really are feeds (fetch/discover.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tinhop/parsers/html_listing.hpp"
#include "tinhop/parsers/model.hpp"

namespace tinhop {

// The format a candidate announces; `unknown` for a link or a guessed path that says none.
enum class FeedKind { rss, atom, json, unknown };

// The kind of a parsed feed's format (RSS and RDF: rss).
FeedKind kind_of(FeedFormat format);

// Where on the page a candidate came from, most trustworthy first.
enum class FoundBy {
  alternate_link,  // <link rel="alternate" type="application/rss+xml" ...> in the page
  page_link,       // an <a href> that looks like a feed (".rss", "/feed", type=...)
  common_path,     // a path many sites use ("/feed", "/rss.xml"...), at the page's site
  address,         // the address given was a feed itself (said by whoever fetched it)
};

// "rss", "atom", "json", "unknown" / "alternate_link", "page_link", "common_path", "address".
const char* kind_name(FeedKind kind);
const char* found_by_name(FoundBy found_by);

struct FeedCandidate {
  std::string url;    // absolute
  std::string title;  // the link's title attribute or text; may be empty
  FeedKind kind = FeedKind::unknown;
  FoundBy found_by = FoundBy::alternate_link;

  friend bool operator==(const FeedCandidate&, const FeedCandidate&) = default;
};

// The feeds `bytes` (an HTML page fetched from context.url) names: its alternate links in
// page order, then its links that look like feeds, then the common paths at its site, each
// URL once. Only http(s) URLs are kept. An unreadable page still gives the common paths.
std::vector<FeedCandidate> discover_feeds(std::string_view bytes, const ParseContext& context,
                                          const HtmlLimits& limits = {});

}  // namespace tinhop
