// WebSub discovery (W3C WebSub section 4; websub.rocks subscriber tests 100-104).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "feed_support.hpp"
#include "tinhop/parsers/websub.hpp"

using tinhop::discover_websub;
using tinhop::Feed;
using tinhop::links_from_headers;
using tinhop::WebSubLinks;
using tinhop::test::context_for;
using tinhop::test::parse_ok;

namespace {

const std::string kFeedUrl = "https://news.example/feed";

WebSubLinks headers(std::vector<std::string> values, const std::string& base = kFeedUrl) {
  return links_from_headers(values, base);
}

}  // namespace

TEST_CASE("Link headers give the hubs and the self link, resolved against the response URL", "[websub]") {
  const WebSubLinks links = headers({R"(<https://hub.example/>; rel="hub", </feed?format=atom>; rel="self")",
                                     R"(<https://hub2.example/push>; rel=hub)"});
  CHECK(links.hubs == std::vector<std::string>{"https://hub.example/", "https://hub2.example/push"});
  REQUIRE(links.self);
  CHECK(*links.self == "https://news.example/feed?format=atom");
}

TEST_CASE("A Link header's rel may list several types, in any case, among other parameters", "[websub]") {
  const WebSubLinks links = headers(
      {R"(<https://hub.example/>; title="a, b; c"; REL="Hub alternate", <https://x.example/>; rel="next")"});
  CHECK(links.hubs == std::vector<std::string>{"https://hub.example/"});
  CHECK_FALSE(links.self);
}

TEST_CASE("Only the first rel parameter of a link counts and repeats are dropped", "[websub]") {
  const WebSubLinks links = headers({R"(<https://a.example/>; rel="self"; rel="hub")",
                                     R"(<https://hub.example/>; rel=hub, <https://hub.example/>; rel=hub)"});
  CHECK(links.hubs == std::vector<std::string>{"https://hub.example/"});
  CHECK(links.self == "https://a.example/");
}

TEST_CASE("A malformed Link value stops its header without losing the links before it", "[websub]") {
  const WebSubLinks links = headers({R"(<https://hub.example/>; rel=hub, https://no-brackets; rel=hub)",
                                     R"(<https://never-closed; rel=self)"});
  CHECK(links.hubs == std::vector<std::string>{"https://hub.example/"});
  CHECK_FALSE(links.self);
}

TEST_CASE("An Atom feed names its hub and self with atom:link", "[websub]") {
  const Feed feed = parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
    <link rel="alternate" href="https://news.example/"/>
    <link rel="hub" href="https://hub.example/"/>
    <link rel="self" href="/feed.atom"/>
    <entry><id>1</id><title>A</title></entry></feed>)",
                             context_for(kFeedUrl))
                        .feed;
  CHECK(feed.hubs == std::vector<std::string>{"https://hub.example/"});
  CHECK(feed.self_url == "https://news.example/feed.atom");
  CHECK(feed.link == "https://news.example/");
}

TEST_CASE("An RSS feed names its hub and self with atom:link in the channel", "[websub]") {
  const Feed feed = parse_ok(R"(<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
    <title>T</title><link>https://news.example/</link>
    <atom:link rel="hub" href="https://pubsubhubbub.appspot.com/"/>
    <atom:link rel="self" type="application/rss+xml" href="https://news.example/rss"/>
    <item><title>A</title><link>https://news.example/a</link></item></channel></rss>)",
                             context_for(kFeedUrl))
                        .feed;
  CHECK(feed.hubs == std::vector<std::string>{"https://pubsubhubbub.appspot.com/"});
  CHECK(feed.self_url == "https://news.example/rss");
  CHECK(feed.link == "https://news.example/");
}

TEST_CASE("A JSON Feed names its WebSub hubs and its feed_url", "[websub]") {
  const Feed feed = parse_ok(R"({"version": "https://jsonfeed.org/version/1.1", "title": "T",
    "feed_url": "https://news.example/feed.json",
    "hubs": [{"type": "rssCloud", "url": "https://cloud.example/"}, {"type": "WebSub", "url": "https://hub.example/"}],
    "items": [{"id": "1", "title": "A"}]})",
                             context_for(kFeedUrl, "application/feed+json"))
                        .feed;
  CHECK(feed.hubs == std::vector<std::string>{"https://hub.example/"});
  CHECK(feed.self_url == "https://news.example/feed.json");
}

TEST_CASE("Discovery prefers the Link headers over the document", "[websub]") {
  Feed feed;
  feed.hubs = {"https://document-hub.example/"};
  feed.self_url = "https://news.example/document-self";
  const auto topic = discover_websub(
      headers({R"(<https://header-hub.example/>; rel=hub, <https://news.example/header-self>; rel=self)"}),
      feed, kFeedUrl);
  REQUIRE(topic);
  CHECK(topic->hubs == std::vector<std::string>{"https://header-hub.example/"});
  CHECK(topic->topic == "https://news.example/header-self");
}

TEST_CASE("Discovery falls back to the document, and the topic to the fetched URL", "[websub]") {
  Feed feed;
  feed.hubs = {"https://document-hub.example/"};
  const auto topic = discover_websub(headers({R"(<https://news.example/other>; rel=self)"}), feed, kFeedUrl);
  REQUIRE(topic);
  CHECK(topic->hubs == std::vector<std::string>{"https://document-hub.example/"});
  CHECK(topic->topic == kFeedUrl);
}

TEST_CASE("Without a hub there is nothing to subscribe to", "[websub]") {
  Feed feed;
  feed.self_url = "https://news.example/self";
  CHECK_FALSE(discover_websub(headers({}), feed, kFeedUrl));
}
