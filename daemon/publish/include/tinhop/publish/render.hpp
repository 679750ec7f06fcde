// Pure renderers: view model in, document bytes out. Output is valid UTF-8 with no
// characters XML 1.0 forbids (C0 controls other than tab/LF/CR, U+FFFE/FFFF, C1 controls,
// invalid sequences become U+FFFD or are dropped).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tinhop/publish/view.hpp"

namespace tinhop::publish {

// Atom 1.0 (RFC 4287): entries carry <source> (§4.2.11) and rel="related" links to the
// other publishers; rel="next"/"first"/"prev-archive" per RFC 5005.
std::string render_atom(const FeedPage& page);

// RSS 2.0 with atom:link self/next, content:encoded, dc:creator and <source url>.
std::string render_rss(const FeedPage& page);

// JSON Feed 1.1 with a `_tinhop` extension object per item (origin, also_published_by).
std::string render_json(const FeedPage& page);

// The river page: entries, source/category filters and search as a plain GET form (no
// JavaScript), every feed linked, <link rel="alternate"> autodiscovery.
std::string render_html(const RiverPage& page);

// A story's page: a timeline of its publishers and their versions side by side. `page`
// has at least one version.
std::string render_story(const StoryPage& page);

// The sources' directory: a search form, the matching sources of one page, each with its
// river page, our feed of it and its original feed, and the links to the pages around.
std::string render_sources(const SourcesPage& page);

// OPML 2.0 listing every source feed (and our republished feed of it).
std::string render_opml(const std::vector<SourceLink>& sources, std::string_view title, Instant created);

// RFC 3339 in UTC ("2026-11-27T00:10:54Z").
std::string rfc3339(Instant t);

// RFC 822 / RFC 7231 IMF-fixdate ("Fri, 27 Nov 2026 00:10:54 GMT").
std::string rfc822(Instant t);

// Text made safe for XML 1.0 and JSON: invalid UTF-8 becomes U+FFFD; C0 controls other than
// tab/LF/CR, DEL, C1 controls and U+FFFE/U+FFFF are dropped.
std::string clean_text(std::string_view text);

// `text` cleaned, with & < > " escaped for XML/HTML text and attribute values.
void append_escaped(std::string& out, std::string_view text);

}  // namespace tinhop::publish
