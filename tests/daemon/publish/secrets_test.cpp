// Public documents never show what a source's fetch URL hides: userinfo, secret query
// parameters, local files and internal hosts. The admin API still shows all.
#include <catch2/catch.hpp>

#include "fake_catalog.hpp"
#include "tinhop/publish/handler.hpp"

namespace {

using namespace tinhop;
namespace http = boost::beast::http;

// Each source's URL replaced, also where the clusters quote it.
void set_urls(test::FakeCatalog& catalog, const std::vector<std::string>& urls) {
  for (std::size_t i = 0; i < urls.size(); ++i) catalog.sources[i].settings.url = urls[i];
  auto url_of = [&](std::int64_t id) { return urls[static_cast<std::size_t>(id - 1)]; };
  for (auto& cluster : catalog.clusters) {
    cluster.origin.source_url = url_of(cluster.origin.source_id);
    for (auto& other : cluster.others) other.source_url = url_of(other.source_id);
  }
}

std::string get(publish::Context& ctx, const std::string& target) {
  publish::Request request{http::verb::get, target, 11};
  request.set(http::field::host, "feeds.example.vn");
  auto response = publish::handle(request, ctx);
  REQUIRE(response.result() == http::status::ok);
  return response.body() ? *response.body() : std::string{};
}

}  // namespace

TEST_CASE("secrets: no public document shows credentials, local files or internal hosts",
          "[publish][secrets]") {
  test::FakeCatalog catalog;
  set_urls(catalog,
           {"https://alice:hunter2@baochinhphu.example/rss?api_key=abc123&cat=1&Token=t0k3n",
            "file:///srv/tinhop/private/nhandan.xml", "http://10.0.0.5/internal.rss?client_secret=s3"});
  catalog.sources[2].feed_title.reset();  // named by nothing but its URL
  for (auto& cluster : catalog.clusters) {
    if (cluster.origin.source_id == 3) cluster.origin.source_title.clear();
  }
  catalog.sources[1].site_link = "http://intranet/nhandan/";
  publish::ServerOptions options;
  options.public_url = "https://feeds.example.vn";
  publish::Context ctx(catalog, options);
  for (const char* target : {"/", "/?source=1", "/sources.opml", "/feed.json", "/feed.atom", "/feed.rss",
                             "/sources/1/feed.atom", "/sources/3/feed.json"}) {
    INFO(target);
    const std::string text = get(ctx, target);
    for (const char* secret :
         {"hunter2", "alice", "abc123", "t0k3n", "s3", "file:", "/srv/tinhop", "10.0.0.5", "intranet"}) {
      INFO(secret);
      CHECK(text.find(std::string("=") + secret) == std::string::npos);
      if (std::string_view(secret).size() > 2) CHECK(text.find(secret) == std::string::npos);
    }
  }
  // What is shown instead: the public part of the URL, else this server's own feed of the source.
  const std::string opml = get(ctx, "/sources.opml");
  CHECK(opml.find("xmlUrl=\"https://baochinhphu.example/rss?cat=1\"") != std::string::npos);
  CHECK(opml.find("xmlUrl=\"https://feeds.example.vn/sources/2/feed.atom\"") != std::string::npos);
  CHECK(opml.find("xmlUrl=\"https://feeds.example.vn/sources/3/feed.atom\"") != std::string::npos);
  // A source without a title is named by its feed's title, else its public host, never by its URL.
  CHECK(opml.find("text=\"source 3\"") != std::string::npos);
  const std::string json = get(ctx, "/feed.json");
  CHECK(json.find("\"feed_url\":\"https://baochinhphu.example/rss?cat=1\"") != std::string::npos);
}

TEST_CASE("secrets: a source without a title is named by its public host", "[publish][secrets]") {
  test::FakeCatalog catalog;
  set_urls(catalog, {"https://baochinhphu.example/rss?key=k", "https://nhandan.example/feed.xml",
                     "https://u:p@vtv.example/rss"});
  catalog.sources[2].feed_title.reset();
  publish::Context ctx(catalog, publish::ServerOptions{});
  const std::string opml = get(ctx, "/sources.opml");
  CHECK(opml.find("text=\"vtv.example\"") != std::string::npos);
  CHECK(opml.find("u:p@") == std::string::npos);
  CHECK(opml.find("key=k") == std::string::npos);
}
