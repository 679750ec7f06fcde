// What the renderers draw: plain structs filled from the store (see catalog.hpp), so every
// renderer is a pure function of its input and testable without a database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tinhop/parsers/model.hpp"
#include "tinhop/publish/reader_text.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::publish {

using Policy = storage::Republication;

// The feed an entry was first published by (Atom <source>, RSS <source>, JSON `_tinhop`).
struct Origin {
  std::int64_t source_id = 0;
  std::string title;                     // never empty: settings title, feed title or host
  std::string feed_url;                  // public_source_url: also its Atom <source><id>
  std::optional<std::string> site_link;  // the feed's own <link>
};

// Another publisher of the same story ("also published by").
struct AlsoPublished {
  std::int64_t source_id = 0;
  std::string title;
  std::string feed_url;
  std::optional<std::string> link;  // that publisher's own article
  Instant published{};
};

// A top story's standing: publishers × 2^(−age / half_life) (storage::top_score).
struct Ranking {
  std::int64_t publishers = 0;  // distinct sources carrying it
  double score = 0;
};

// One dedup cluster as one entry. HTML fields are already sanitized.
struct Entry {
  std::string id;     // stable across restarts and re-polls (derived from the cluster id)
  std::string title;  // plain text; never empty (falls back to the link or "(untitled)")
  std::optional<std::string> link;
  Policy policy = Policy::full;
  std::string content_html;  // policy full: the article body (or its summary when no body)
  std::string summary_html;  // policy full: the feed's summary; summary: a plain-text excerpt
  std::string page_excerpt;  // plain-text excerpt the river page shows (policy full)
  Instant published{};
  Instant updated{};
  std::vector<std::string> authors;
  std::vector<std::string> categories;
  std::vector<Enclosure> enclosures;
  std::optional<std::string> image;  // the item's thumbnail, whatever the policy
  Origin origin;
  std::vector<AlsoPublished> also;
  std::string cursor;              // keyset position of this entry (for `before=`)
  std::string story_url;           // the page with every publisher's version (/stories/{id})
  std::optional<Ranking> ranking;  // top stories only
};

// Feed-level facts and the paging links (RFC 5005) of one rendered page.
struct FeedMeta {
  std::string id;  // stable IRI of this feed (its canonical URL without paging)
  std::string title;
  std::string subtitle;
  std::string language;                 // BCP 47, e.g. "vi"
  std::string self_url;                 // absolute URL of exactly this document
  std::string html_url;                 // the river page showing the same selection
  std::string first_url;                // the newest page (the subscription document)
  std::optional<std::string> next_url;  // older entries, when there are any
  std::string hub_url;                  // the WebSub hub pushing this feed's changes; empty: none
  Instant updated{};                    // newest entry's update, or the store's last change
  std::string generator_version;
};

struct FeedPage {
  FeedMeta meta;
  std::vector<Entry> entries;
};

// A source as the page's filter, the OPML file and the subscription list show it.
struct SourceLink {
  std::int64_t id = 0;
  std::string title;
  std::string feed_url;                  // public_source_url of the source's own feed
  std::optional<std::string> site_link;  // its web site
  std::vector<std::string> categories;
  std::string republished_atom;  // our per-source feed URL
};

struct CategoryLink {
  std::string name;
  std::string slug;
  std::string republished_atom;  // our per-category feed URL
};

// For whom and when a reader page is drawn.
struct Reader {
  Language language = Language::vi;
  // The language tag when the reader chose it by URL (?hl=en): the page's links keep it.
  std::string hl;
  Instant now{};
  DisplayZone zone;
  std::string switch_language_url;  // this page in the other language
};

// Everything the river page shows.
struct RiverPage {
  FeedPage feed;
  Reader reader;
  std::string base_url;  // absolute URL of `/`, without a trailing slash
  // Names unique among them: a title two sources share gets their sites (distinct_titles).
  // Every enabled source while they fit a page (kPageSources); beyond, only the selected
  // one, and the page links the sources' directory instead.
  std::vector<SourceLink> sources;
  std::size_t source_count = 0;  // enabled sources
  std::string sources_url;       // the sources' directory (SourcesPage)
  std::vector<CategoryLink> categories;
  std::optional<std::int64_t> selected_source;
  std::optional<std::string> selected_category;  // slug
  std::string query;
  bool by_relevance = false;                // search results ranked, not newest first
  std::string atom_url, rss_url, json_url;  // feeds of the current selection
  std::string home_url;                     // the river without a selection
  std::string all_categories_url;           // the current selection without its category
  std::vector<std::string> category_urls;   // the page of each of `categories`
  std::optional<std::string> newer_url;     // the page before (newer entries)
  std::optional<std::string> first_url;     // the newest page, when this is not it
  // The first section of the home page's first page: top stories, best first (empty
  // elsewhere), and their feed.
  std::vector<Entry> top;
  std::string top_url;
};

// The sources' directory (/sources): the enabled sources whose name matches the query, a
// page at a time, each with its river page and its feeds.
struct SourcesPage {
  Reader reader;
  std::string site_title;
  std::string home_url;
  std::string page_url;  // the directory, without query or page (a form's action)
  std::string query;
  std::size_t matches = 0;  // sources matching the query, on every page
  std::vector<SourceLink> sources;
  std::vector<std::string> river_urls;  // the river page of each of `sources`
  std::optional<std::string> previous_url, next_url;
};

// One story with every publisher's version, earliest first (the first one is marked).
struct StoryPage {
  Reader reader;
  std::string site_title;
  std::string home_url;
  std::vector<Entry> versions;
};

}  // namespace tinhop::publish
