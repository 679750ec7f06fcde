// Finding the feed behind an address a person pasted ("https://site/"): the address is
// fetched; a feed is its own answer; a page is read for candidates (parsers'
// discover_feeds), and each candidate is fetched and kept only when it parses as a feed.
// Shared by `tinhop sources add`, the admin API and the admin console.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "tinhop/fetch/client.hpp"
#include "tinhop/parsers/feed_discovery.hpp"

namespace tinhop::fetch {

// A candidate that was fetched and parsed as a feed.
struct DiscoveredFeed {
  std::string url;    // the candidate's URL (before redirects: what the page names)
  std::string title;  // the feed's own title, else the link's
  FeedKind kind = FeedKind::unknown;
  FoundBy found_by = FoundBy::alternate_link;
  FeedFormat format = FeedFormat::rss20;
  std::size_t items = 0;
};

struct Discovery {
  // Why the pasted address itself gave nothing to read: a fetch error, or an HTTP status
  // other than 200 ("HTTP 404"). Empty on success.
  std::string error;
  bool page_is_feed = false;  // the address is a feed: `feeds` holds just it
  // The feeds found, most trustworthy first: the page's alternate links, its feed-looking
  // links, and only when those gave none, the common paths at its site.
  std::vector<DiscoveredFeed> feeds;
};

// How far one discovery goes.
struct DiscoveryLimits {
  std::size_t max_page_links = 8;  // feed-looking page links fetched (alternate links: all)
  Limits probe = probe_limits();   // each candidate's fetch

  static Limits probe_limits();  // 5 MB, 15 s per candidate
};

// Discovers the feeds behind `request.url` with `client`; `done` runs once on the client's
// executor. Candidates are fetched with the request's headers and trusted origin.
void discover(Client& client, Request request, std::function<void(Discovery)> done,
              DiscoveryLimits limits = {});

// The same on a private event loop, returning when done: for the CLI and the admin
// thread, which have no loop of their own to lend.
Discovery discover_now(Request request, ClientOptions options, DiscoveryLimits limits = {});

}  // namespace tinhop::fetch
