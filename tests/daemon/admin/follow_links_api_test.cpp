// follow_links through the admin API: written, read back, refused where it does not apply,
// and kept by the API's OPML export and import.
#include <catch2/catch.hpp>

#include "tinhop/admin/api.hpp"
#include "tinhop/config/opml.hpp"

using namespace tinhop;
using namespace tinhop::admin;

namespace {

const std::string token = "0123456789abcdef0123456789abcdef";
const Instant now = Instant(std::chrono::seconds(1'790'000'000));

struct Fixture {
  storage::Store store = storage::Store::open(":memory:").value();
  config::LiveConfig live{config::Config{}};
  Api api{Token{token}, store, live, ApiHooks{}, [] { return now; }};

  Response call(http::verb method, const std::string& target, const std::string& body = {}) {
    Request request{method, target, 11};
    request.set(http::field::authorization, "Bearer " + token);
    request.body() = body;
    request.prepare_payload();
    return api.handle(request);
  }
  boost::json::value json(const Response& response) { return boost::json::parse(response.body()); }
};

const std::string kListing =
    R"({"url": "https://tinhx.gov.vn/tin-tuc", "type": "html", "html": {"item": "li.tin"}, "follow_links": true})";

}  // namespace

TEST_CASE("follow_links is written and read through the API") {
  Fixture f;
  Response added = f.call(http::verb::post, "/api/sources", kListing);
  REQUIRE(added.result() == http::status::created);
  CHECK(f.json(added).at("follow_links") == true);
  CHECK(f.store.get_source(1)->settings.follow_links == true);
  CHECK(f.json(f.call(http::verb::get, "/api/sources/1")).at("follow_links") == true);

  Response off = f.call(http::verb::patch, "/api/sources/1", R"({"follow_links": false})");
  REQUIRE(off.result() == http::status::ok);
  CHECK(f.json(off).at("follow_links") == false);
  CHECK(f.store.get_source(1)->settings.follow_links == false);

  Response wrong = f.call(http::verb::patch, "/api/sources/1", R"({"follow_links": "yes"})");
  CHECK(wrong.result() == http::status::bad_request);
  CHECK(f.json(wrong).at("message") == "follow_links: expected true or false, got a string");
  Response feed =
      f.call(http::verb::post, "/api/sources", R"({"url": "https://a.vn/rss", "follow_links": true})");
  CHECK(feed.result() == http::status::bad_request);
  CHECK(f.json(feed).at("message") ==
        "follow_links: applies only to type = \"html\" (a feed carries its own content)");
  CHECK(f.store.list_sources()->size() == 1);
}

TEST_CASE("follow_links survives the API's OPML export and import") {
  Fixture f;
  REQUIRE(f.call(http::verb::post, "/api/sources", kListing).result() == http::status::created);
  Response exported = f.call(http::verb::get, "/api/opml");
  REQUIRE(exported.result() == http::status::ok);
  CHECK(exported.body().find("tinhop:follow-links=\"true\"") != std::string::npos);

  Fixture other;
  Response imported = other.call(http::verb::post, "/api/opml", exported.body());
  REQUIRE(imported.result() == http::status::ok);
  REQUIRE(other.json(imported).at("added").as_array().size() == 1);
  CHECK(other.store.get_source(1)->settings.follow_links == true);
}
