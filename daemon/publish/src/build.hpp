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
  std::string query;
  std::size_t limit = 50;
  bool limit_given = false;
  std::optional<storage::Cursor> before;
};

// Category name -> URL path segment: ASCII lowercased, runs of space and URL delimiters
// become '-', other characters kept (percent-encoded in URLs).
std::string slugify(std::string_view name);

// "1732665600-42" (the store's format); parse_cursor_text accepts exactly that shape.
std::string cursor_text(const storage::Cursor& cursor);
std::optional<storage::Cursor> parse_cursor_text(std::string_view text);

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view text);

// Absolute URL of a selection in a format; `with_before` false gives the first page.
std::string selection_url(const std::string& base, const Selection& s, Format f, bool with_before);

// One cluster as one entry, with sanitized HTML and the republication policy applied;
// `base` is the public URL of this server (for sources whose feed URL is not shown).
Entry make_entry(const storage::ClusterView& view, const ServerOptions& options, const std::string& base);

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
