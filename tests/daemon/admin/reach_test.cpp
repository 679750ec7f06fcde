// Sources added through the CLI or the API reach no internal address and read no local
// file outside what the operator allowed; the configuration file's own are trusted.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tinhop/admin/api.hpp"
#include "tinhop/admin/sources.hpp"

using namespace tinhop;
using namespace tinhop::admin;

namespace fs = std::filesystem;

namespace {

const std::string token = "0123456789abcdef0123456789abcdef";
const Instant now = Instant(std::chrono::seconds(1'790'000'000));

IpNetwork network(const char* text) {
  std::string why;
  auto parsed = parse_ip_network(text, why);
  REQUIRE(parsed);
  return *parsed;
}

struct Folder {
  fs::path path = fs::temp_directory_path() / ("tinhop-reach-" + std::to_string(::getpid()));
  Folder() {
    fs::remove_all(path);
    fs::create_directories(path / "feeds");
    std::ofstream(path / "feeds" / "a.xml") << "<rss/>";
    std::ofstream(path / "private.txt") << "secret";
    fs::create_symlink(path / "private.txt", path / "feeds" / "escape.xml");
  }
  ~Folder() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("internal addresses: refused unless allow_networks covers them") {
  const SourceRules none;
  CHECK(check_reach("http://127.0.0.1:8081/api/sources", none) ==
        "url: 127.0.0.1 is a loopback address; sources added through the CLI or the API reach internal "
        "addresses only inside fetch.allow_networks");
  CHECK(check_reach("http://169.254.169.254/latest/meta-data/", none).find("is a link-local address") !=
        std::string::npos);
  CHECK(check_reach("http://[fd00::5]/rss", none).find("is a private address") != std::string::npos);
  CHECK(check_reach("http://100.64.1.1/rss", none).find("is a carrier-grade NAT address") !=
        std::string::npos);
  CHECK_FALSE(check_reach("http://0.0.0.0:8080/feed.atom", none).empty());
  CHECK(check_reach("http://localhost:8080/rss", none) ==
        "url: localhost is an internal host name; sources added through the CLI or the API reach internal "
        "addresses only inside fetch.allow_networks");
  CHECK(check_reach("https://vnexpress.net/rss/tin-moi-nhat.rss", none).empty());
  CHECK(check_reach("https://203.162.4.190/rss", none).empty());

  const SourceRules lan{{network("192.168.5.0/24")}, {}};
  CHECK(check_reach("http://192.168.5.10/rss", lan).empty());
  CHECK_FALSE(check_reach("http://192.168.6.10/rss", lan).empty());
  CHECK_FALSE(check_reach("http://127.0.0.1/rss", lan).empty());
  // A name is judged at each connection by its address then; allowed networks make that possible.
  CHECK(check_reach("http://intranet/rss", lan).empty());
}

TEST_CASE("file:// sources: only under admin.file_sources_under, links resolved first") {
  Folder folder;
  const std::string root = (folder.path / "feeds").string();
  const std::string file = "file://" + root + "/a.xml";
  CHECK(check_reach(file, SourceRules{}) ==
        "url: file:// sources are accepted only from the configuration file, or under a directory named by "
        "admin.file_sources_under");
  const SourceRules rules{{}, root};
  CHECK(check_reach(file, rules).empty());
  CHECK(check_reach("file:///etc/shadow", rules) ==
        "url: /etc/shadow is not under admin.file_sources_under (" + root + ")");
  CHECK_FALSE(check_reach("file:///proc/self/environ", rules).empty());
  CHECK_FALSE(check_reach("file://" + root + "/../private.txt", rules).empty());
  CHECK_FALSE(check_reach("file://" + root + "/escape.xml", rules).empty());  // a symlink out
  CHECK_FALSE(check_reach("file://" + root + "x/a.xml", rules).empty());      // a sibling prefix
  CHECK_FALSE(check_reach("file://" + root, rules).empty());                  // the directory itself
}

TEST_CASE("the API and the CLI's service refuse an unreachable source and store nothing") {
  storage::Store store = storage::Store::open(":memory:").value();
  Sources sources(store, config::DefaultsConfig{}, SourceRules{});
  config::SourceSettings internal;
  internal.url = "http://127.0.0.1:9/rss";
  auto added = sources.add(internal, config::Origin::api, now);
  REQUIRE_FALSE(added.has_value());
  CHECK(added.error().failure == Failure::invalid);
  CHECK(added.error().message.rfind("url: 127.0.0.1 is a loopback address", 0) == 0);
  config::SourceSettings shadow;
  shadow.url = "file:///etc/shadow";
  REQUIRE_FALSE(sources.add(shadow, config::Origin::cli, now).has_value());
  CHECK(store.list_sources().value().empty());

  // An OPML import reports each refused outline and imports the rest.
  const std::string opml =
      "<opml version=\"2.0\"><body>"
      "<outline type=\"rss\" text=\"a\" xmlUrl=\"https://a.example.vn/rss\"/>"
      "<outline type=\"rss\" text=\"meta\" xmlUrl=\"http://169.254.169.254/latest/meta-data/\"/>"
      "</body></opml>";
  auto report = sources.import_opml(opml, config::Origin::api, now);
  REQUIRE(report.has_value());
  CHECK(report->added.size() == 1);
  REQUIRE(report->problems.size() == 1);
  CHECK(report->problems[0].outline == 2);
  CHECK(report->problems[0].message.find("is a link-local address") != std::string::npos);
  CHECK(store.list_sources().value().size() == 1);

  // With the network allowed, the same source is accepted.
  Sources allowing(store, config::DefaultsConfig{}, SourceRules{{network("127.0.0.0/8")}, {}});
  CHECK(allowing.add(internal, config::Origin::api, now).has_value());
}

TEST_CASE("the admin API answers 400 for an internal source and a file outside the allowed directory") {
  auto parsed = config::parse_config("", "/etc/tinhop/tinhop.toml");
  REQUIRE(parsed.ok());
  config::LiveConfig live(*parsed.config);
  storage::Store store = storage::Store::open(":memory:").value();
  Api api{Token{token}, store, live, ApiHooks{}, [] { return now; }};
  auto post = [&](const std::string& body) {
    Request request{http::verb::post, "/api/sources", 11};
    request.set(http::field::authorization, "Bearer " + token);
    request.set(http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    return api.handle(request);
  };
  Response metadata = post(R"({"url": "http://169.254.169.254/latest/meta-data/"})");
  CHECK(metadata.result() == http::status::bad_request);
  CHECK(metadata.body().find("is a link-local address") != std::string::npos);
  Response token_file = post(R"({"url": "file:///etc/tinhop/admin-token"})");
  CHECK(token_file.result() == http::status::bad_request);
  CHECK(token_file.body().find("file:// sources are accepted only from the configuration file") !=
        std::string::npos);
  CHECK(store.list_sources().value().empty());
}

TEST_CASE("the CLI and the API bound a source's intervals as the configuration file does") {
  storage::Store store = storage::Store::open(":memory:").value();
  auto parsed = config::parse_config("[poll]\nmin_interval = \"5m\"\nmax_interval = \"12h\"\n", "t.toml");
  REQUIRE(parsed.ok());
  Sources sources(store, config::DefaultsConfig{}, source_rules_from(*parsed.config));
  config::SourceSettings often;
  often.url = "https://vnexpress.net/rss/thoi-su.rss";
  often.interval = std::chrono::seconds(30);
  auto refused = sources.add(often, config::Origin::api, now);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().message == "interval: must be between 5m and 12h, got 30s");
  // The file says the same of the same value.
  auto file = config::parse_config(
      "[poll]\nmin_interval = \"5m\"\nmax_interval = \"12h\"\n[[source]]\nurl = \"https://a.vn/rss\"\n"
      "interval = \"30s\"\n",
      "t.toml");
  REQUIRE(file.diagnostics.size() == 1);
  CHECK(file.diagnostics[0].message == "must be between 5m and 12h, got 30s");
  often.interval = std::chrono::minutes(10);
  often.min_interval = std::chrono::seconds(1);
  auto too_short = sources.add(often, config::Origin::cli, now);
  REQUIRE_FALSE(too_short.has_value());
  CHECK(too_short.error().message == "min_interval: must be between 10s and 366d, got 1s");
  often.min_interval.reset();
  CHECK(sources.add(often, config::Origin::cli, now).has_value());
}
