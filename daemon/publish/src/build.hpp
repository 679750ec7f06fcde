// From store rows to the view model, and the URLs of a selection (internal).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/publish/handler.hpp"
#include "tinhop/publish/view.hpp"

namespace tinhop::publish::detail {

enum class Format { atom, rss, json, html };

// What one request selects: the path's source/category plus query parameters.
struct Selection {
  std::optional<std::int64_t> source_id;
  std::optional<std::string> category_slug;
  std::optional<std::string> view_slug;  // a view's page and feeds (not with the others)
  std::string query;
  bool by_relevance = false;  // ?sort=relevance: only with a query
  std::size_t limit = 50;
  bool limit_given = false;
  std::optional<storage::Cursor> before;
  std::optional<storage::Cursor> after;  // the page before: newer entries (not with a search)
  std::string hl;                        // ?hl= of a reader page: "vi", "en" or empty
};

// The URL path segment of each category: its ascii_slug (slug.hpp); where distinct names
// share one, the first in byte order keeps it and each other one gets "-" and 8 hex digits
// of a hash of its name, so its slug does not depend on which other categories exist. A
// name with no ASCII form gets "category-" and that hash.
struct CategorySlug {
  std::string name;
  std::string slug;
};
std::vector<CategorySlug> category_slugs(const std::vector<std::string>& names);

// The segment category URLs had before they were ASCII (ASCII lowercased, runs of space and
// URL delimiters as '-', other characters kept): such requests are redirected.
std::string legacy_slug(std::string_view name);

// True when `segment` has the shape of a current slug: a-z, 0-9 and '-'.
bool ascii_slug_shaped(std::string_view segment);

// The store's cursor text ("1732665600-42", "r-3.25-42" by relevance).
std::string cursor_text(const storage::Cursor& cursor);
std::optional<storage::Cursor> parse_cursor_text(std::string_view text);

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view text);

// Absolute URL of a selection in a format; `with_position` false gives the first page.
// Only a page (html) carries ?hl=.
std::string selection_url(const std::string& base, const Selection& s, Format f, bool with_position);

// The top stories' feed in a format (html: the home page, where they are the first section).
std::string top_url(const std::string& base, Format f);

// A top story as one entry: make_entry's, its ranking, and its content opened by the list
// of every publisher, earliest first and marked, each with its time (a feed reader shows
// no page around it).
Entry make_top_entry(const storage::TopStory& story, const ServerOptions& options, const std::string& base,
                     Language language);

// The reader page of one story.
std::string story_url(const std::string& base, std::int64_t public_id, std::string_view hl);

// Source titles as a reader tells them apart: a title that two sources share gets its
// site's host, "Tin tức (a.example)"; the feed's host when the source names no site, and
// the source id when even that is shared.
void distinct_titles(std::vector<SourceLink>& sources);

// One version of a story as one entry, for the story page.
Entry make_version(const storage::Story& story, const storage::StoryVersion& version,
                   const ServerOptions& options, const std::string& base);

// One cluster as one entry, with sanitized HTML and the republication policy applied;
// `base` is the public URL of this server (for sources whose feed URL is not shown).
// `also_footer`: a full entry's body ends with "Also published by: …" when others carry it.
Entry make_entry(const storage::ClusterView& view, const ServerOptions& options, const std::string& base,
                 bool also_footer = true);

// The text an entry carries, in bytes: what rendering it costs, give or take markup.
std::size_t text_bytes(const Entry& e);

// Title of a source as shown to readers: its own, else its feed's, else its URL's host
// (never the URL: it may hold credentials), else "source ID".
std::string source_title(std::int64_t id, const std::string& title,
                         const std::optional<std::string>& feed_title, const std::string& url);
std::string source_title(const storage::Source& source);

// A source's feed URL as public documents show it: without userinfo and secret parameters;
// a file:// or internal URL is replaced by this server's own feed of the source.
std::string public_source_url(std::int64_t id, const std::string& url, const std::string& base,
                              const ServerOptions& options);

}  // namespace tinhop::publish::detail
