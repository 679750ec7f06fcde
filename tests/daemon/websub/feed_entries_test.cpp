// A hub's delivery carries only what a subscriber lacks: feed documents read into their
// entries and cut down to some of them, in the three formats our publisher renders.
#include <catch2/catch.hpp>

#include "tinhop/websub/feed_entries.hpp"

using tinhop::websub::document_with;
using tinhop::websub::entries_beyond;
using tinhop::websub::read_entries;

namespace {

const std::string kAtom = "application/atom+xml; charset=utf-8";

std::string atom_entry(const std::string& id, const std::string& title) {
  return "<entry>\n<id>" + id + "</id>\n<title type=\"text\">" + title + "</title>\n</entry>\n";
}

std::string atom(const std::string& entries) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
         "<id>urn:feed</id>\n<title>River &amp; more</title>\n"
         "<link rel=\"self\" href=\"https://t.example/feed.atom\"/>\n"
         "<link rel=\"hub\" href=\"https://t.example/websub/hub\"/>\n" +
         entries + "</feed>\n";
}

}  // namespace

TEST_CASE("an Atom feed is cut to the entries new or changed since the one a subscriber had",
          "[websub][entries]") {
  const auto had = read_entries(kAtom, atom(atom_entry("urn:1", "One") + atom_entry("urn:2", "Two")));
  const std::string body =
      atom(atom_entry("urn:3", "Three") + atom_entry("urn:1", "One") + atom_entry("urn:2", "Two, corrected"));
  const auto now = read_entries(kAtom, body);
  REQUIRE(had);
  REQUIRE(now);
  CHECK(had->size() == 2);
  const auto ids = entries_beyond(*now, *had);
  CHECK(ids == std::set<std::string>{"urn:2", "urn:3"});
  CHECK(document_with(kAtom, body, ids) ==
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">"
        "<id>urn:feed</id><title>River &amp; more</title>"
        "<link rel=\"self\" href=\"https://t.example/feed.atom\"/>"
        "<link rel=\"hub\" href=\"https://t.example/websub/hub\"/>"
        "<entry><id>urn:3</id><title type=\"text\">Three</title></entry>"
        "<entry><id>urn:2</id><title type=\"text\">Two, corrected</title></entry></feed>");
  CHECK(entries_beyond(*now, *now).empty());
}

TEST_CASE("an RSS feed's items are known by their guid, else their link", "[websub][entries]") {
  const std::string type = "application/rss+xml";
  const std::string body =
      "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel><title>River</title>"
      "<atom:link rel=\"hub\" href=\"https://t.example/websub/hub\"/>"
      "<item><guid isPermaLink=\"false\">g1</guid><title>One</title></item>"
      "<item><link>https://a.example/2</link><title>Two</title></item></channel></rss>";
  const auto now = read_entries(type, body);
  REQUIRE(now);
  CHECK(entries_beyond(*now, {}) == std::set<std::string>{"g1", "https://a.example/2"});
  CHECK(document_with(type, body, {"https://a.example/2"}) ==
        "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel><title>River</title>"
        "<atom:link rel=\"hub\" href=\"https://t.example/websub/hub\"/>"
        "<item><link>https://a.example/2</link><title>Two</title></item></channel></rss>");
}

TEST_CASE("a JSON Feed is cut to the items named, its hubs kept", "[websub][entries]") {
  const std::string type = "application/feed+json";
  const std::string body =
      R"({"version":"https://jsonfeed.org/version/1.1","title":"River","hubs":[{"type":"WebSub","url":"https://t.example/websub/hub"}],)"
      R"("items":[{"id":"a","title":"A"},{"id":"b","title":"B"}]})";
  const auto had = read_entries(type, R"({"items":[{"id":"a","title":"A"}]})");
  const auto now = read_entries(type, body);
  REQUIRE(had);
  REQUIRE(now);
  const auto ids = entries_beyond(*now, *had);
  CHECK(ids == std::set<std::string>{"b"});
  CHECK(
      document_with(type, body, ids) ==
      R"({"version":"https://jsonfeed.org/version/1.1","title":"River","hubs":[{"type":"WebSub","url":"https://t.example/websub/hub"}],)"
      R"("items":[{"id":"b","title":"B"}]})");
}

TEST_CASE("what is not a feed of the type named has no entries to read", "[websub][entries]") {
  CHECK_FALSE(read_entries("text/plain", "<feed/>"));
  CHECK_FALSE(read_entries(kAtom, "<feed><entry>"));
  CHECK_FALSE(read_entries(kAtom, "<rss><channel/></rss>"));
  CHECK_FALSE(read_entries("application/feed+json", R"({"title":"no items"})"));
  CHECK_FALSE(read_entries("application/rss+xml", "{}"));
}
