// Valid files: defaults, the documented example, units, canonical URLs, reload semantics.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "support/paths.hpp"
#include "tinhop/config/config.hpp"
#include "tinhop/config/live.hpp"
#include "tinhop/config/units.hpp"

using namespace tinhop::config;
using namespace std::chrono_literals;

namespace {

std::filesystem::path example_path() {
  return tinhop::test::data_dir().parent_path().parent_path() / "config" / "tinhop.example.toml";
}

// A file in a fresh temporary folder, removed with the object.
struct TempFile {
  std::filesystem::path folder;
  std::filesystem::path path;
  explicit TempFile(const std::string& text) {
    folder =
        std::filesystem::temp_directory_path() / ("tinhop-config-" + std::to_string(::getpid()) + "-" +
                                                  std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(folder);
    path = folder / "tinhop.toml";
    write(text);
  }
  void write(const std::string& text) const { std::ofstream(path, std::ios::trunc) << text; }
  ~TempFile() { std::filesystem::remove_all(folder); }
};

}  // namespace

TEST_CASE("the example file parses to exactly the built-in defaults") {
  LoadResult result = load_config(example_path());
  for (const auto& diagnostic : result.diagnostics) INFO(diagnostic.to_string());
  REQUIRE(result.ok());
  CHECK(result.diagnostics.empty());
  Config expected;
  expected.file = example_path();
  CHECK(*result.config == expected);
}

TEST_CASE("the example file documents every key the loader accepts") {
  std::ifstream in(example_path());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* key : {"listen",
                          "base_url",
                          "max_connections",
                          "max_connections_per_ip",
                          "header_timeout",
                          "allow_remote",
                          "idle_timeout",
                          "feed_limit",
                          "max_feed_limit",
                          "render_cache_bytes",
                          "max_content_bytes",
                          "display_time_zone",
                          "enabled",
                          "token_file",
                          "alerts_secret_file",
                          "failing_after",
                          "min_quiet",
                          "history",
                          "check_interval",
                          "secret_file",
                          "kinds",
                          "max_body_bytes",
                          "session_idle",
                          "session_lifetime",
                          "secure_cookies",
                          "path",
                          "busy_timeout",
                          "user_agent",
                          "connect_timeout",
                          "timeout",
                          "stall_timeout",
                          "max_header_bytes",
                          "max_redirects",
                          "per_host_concurrency",
                          "global_concurrency",
                          "min_concurrency",
                          "host_spacing",
                          "proxy",
                          "ca_bundle",
                          "default_interval",
                          "min_interval",
                          "max_interval",
                          "max_backoff",
                          "jitter",
                          "stale_after_min",
                          "max_age",
                          "max_items_per_source",
                          "similarity",
                          "max_candidate_bytes",
                          "window",
                          "time_zone",
                          "date_order",
                          "republication",
                          "level",
                          "format",
                          "url",
                          "title",
                          "categories",
                          "type",
                          "interval",
                          "headers",
                          "item",
                          "link",
                          "date",
                          "summary",
                          "hub",
                          "hub_default_lease",
                          "hub_max_lease",
                          "hub_max_subscriptions",
                          "publish_to"}) {
    INFO(key);
    CHECK(text.find(std::string("\n") + key + " =") + text.find(std::string("# ") + key + " =") !=
          2 * std::string::npos);
  }
}

TEST_CASE("the fetch concurrency floor is read, and its default never passes a smaller global limit") {
  LoadResult set = parse_config("[fetch]\nmin_concurrency = 3\nstall_timeout = \"5s\"\n", "t.toml");
  REQUIRE(set.ok());
  CHECK(set.config->fetch.min_concurrency == 3);
  CHECK(set.config->fetch.stall_timeout == std::chrono::seconds(5));
  LoadResult small = parse_config("[fetch]\nglobal_concurrency = 4\n", "t.toml");
  REQUIRE(small.ok());
  CHECK(small.diagnostics.empty());
  CHECK(small.config->fetch.min_concurrency == 4);
}

TEST_CASE("a full source entry is read with every setting") {
  const char* toml = R"(
[defaults]
time_zone = "UTC"
[[source]]
url = "HTTPS://VnExpress.net:443/rss/tin-moi-nhat.rss"
title = "VnExpress"
categories = ["thoi-su", "kinh-te"]
interval = "10m"
min_interval = "5m"
max_interval = "2h"
time_zone = "Asia/Ho_Chi_Minh"
date_order = "dmy"
republication = "summary"
enabled = false
headers = { Cookie = "consent=1", "X-Api" = "k" }

[[source]]
url = "https://quangtri.gov.vn/tin-tuc?page=1"
type = "html"
[source.html]
item = "div.news-item"
title = "h3 a"
link = "h3 a"
date = "span.date"
summary = "p.sapo"
image = "img.thumb"
date_format = "%d/%m/%Y"
)";
  LoadResult result = parse_config(toml, "t.toml");
  REQUIRE(result.ok());
  REQUIRE(result.config->sources.size() == 2);
  const FileSource& feed = result.config->sources[0];
  CHECK(feed.line == 4);
  CHECK(feed.settings.url == "https://vnexpress.net/rss/tin-moi-nhat.rss");
  CHECK(feed.settings.title == "VnExpress");
  CHECK(feed.settings.categories == std::vector<std::string>{"thoi-su", "kinh-te"});
  CHECK(feed.settings.type == SourceType::feed);
  CHECK(feed.settings.interval == 600s);
  CHECK(feed.settings.min_interval == 300s);
  CHECK(feed.settings.max_interval == 7200s);
  CHECK(feed.settings.time_zone == "Asia/Ho_Chi_Minh");
  CHECK(feed.settings.date_order == tinhop::DateOrder::dmy);
  CHECK(feed.settings.republication == Republication::summary);
  CHECK_FALSE(feed.settings.enabled);
  using Headers = std::vector<std::pair<std::string, std::string>>;
  CHECK(feed.settings.headers == Headers{{"Cookie", "consent=1"}, {"X-Api", "k"}});
  const FileSource& page = result.config->sources[1];
  CHECK(page.line == 17);
  CHECK(page.settings.type == SourceType::html);
  CHECK(page.settings.selectors ==
        HtmlSelectors{"div.news-item", "h3 a", "h3 a", "span.date", "p.sapo", "img.thumb", "%d/%m/%Y"});
  CHECK(selectors_to_json(page.settings.selectors) ==
        R"({"item":"div.news-item","title":"h3 a","link":"h3 a","date":"span.date","summary":"p.sapo",)"
        R"("image":"img.thumb","date_format":"%d/%m/%Y"})");
  CHECK(selectors_from_json(selectors_to_json(page.settings.selectors)) == page.settings.selectors);
  CHECK(selectors_from_json(R"({"item":"li","colour":"red"})") == std::nullopt);
  CHECK(selectors_from_json("") == HtmlSelectors{});
  CHECK_FALSE(page.settings.time_zone.has_value());
  SourceSettings filled = with_defaults(page.settings, result.config->defaults);
  CHECK(filled.time_zone == "UTC");
  CHECK(filled.date_order == tinhop::DateOrder::automatic);
  CHECK(filled.republication == Republication::full);
}

TEST_CASE("a relative database path is relative to the file's folder") {
  LoadResult result = parse_config("[database]\npath = \"data/t.db\"\n", "/etc/tinhop/tinhop.toml");
  REQUIRE(result.ok());
  CHECK(result.config->database.path == "/etc/tinhop/data/t.db");
}

TEST_CASE("a database url selects PostgreSQL, its password file relative to the file's folder") {
  LoadResult uri = parse_config(
      "[database]\nurl = \"postgresql://news@127.0.0.1:5433/tinhop\"\npassword_file = \"pg pass\"\n",
      "/etc/tinhop/tinhop.toml");
  REQUIRE(uri.ok());
  CHECK(uri.config->database.url == "postgresql://news@127.0.0.1:5433/tinhop");
  CHECK(database_location(uri.config->database) ==
        "postgresql://news@127.0.0.1:5433/tinhop?passfile=/etc/tinhop/pg%20pass");

  LoadResult words = parse_config(
      "[database]\nurl = \"host=/run/postgresql dbname=tinhop\"\npassword_file = \"/etc/it's\"\n", "");
  REQUIRE(words.ok());
  CHECK(database_location(words.config->database) ==
        "host=/run/postgresql dbname=tinhop passfile='/etc/it\\'s'");

  LoadResult sqlite = parse_config("[database]\npath = \"/var/lib/t.db\"\n", "");
  REQUIRE(sqlite.ok());
  CHECK(database_location(sqlite.config->database) == "/var/lib/t.db");
}

TEST_CASE("durations and sizes read as people write them") {
  CHECK(parse_duration("90") == 90s);
  CHECK(parse_duration("90s") == 90s);
  CHECK(parse_duration("15m") == 900s);
  CHECK(parse_duration("1h30m") == 5400s);
  CHECK(parse_duration("2d") == 172800s);
  CHECK(parse_duration("1w") == 604800s);
  CHECK_FALSE(parse_duration("30m1h"));
  CHECK_FALSE(parse_duration("1h1h"));
  CHECK_FALSE(parse_duration("15 m"));
  CHECK_FALSE(parse_duration("-5s"));
  CHECK_FALSE(parse_duration(""));
  CHECK_FALSE(parse_duration("99999999999999999999s"));
  CHECK(format_duration(900s) == "15m");
  CHECK(format_duration(5400s) == "1h30m");
  CHECK(format_duration(86400s + 1s) == "1d1s");
  CHECK(format_duration(0s) == "0s");
  CHECK(parse_size("20MiB") == 20u << 20);
  CHECK(parse_size("20MB") == 20u << 20);
  CHECK(parse_size("512KiB") == 512u << 10);
  CHECK(parse_size("4096") == 4096u);
  CHECK(parse_size("1GiB") == 1u << 30);
  CHECK_FALSE(parse_size("2TiB"));
  CHECK_FALSE(parse_size("20 MiB"));
  CHECK_FALSE(parse_size("20Mb"));
}

TEST_CASE("source URLs are canonicalized so that duplicates are found") {
  CHECK(check_source_url("HTTP://Dantri.COM.vn:80/trangchu.rss#x").canonical ==
        "http://dantri.com.vn/trangchu.rss");
  CHECK(check_source_url("https://vnexpress.net:443").canonical == "https://vnexpress.net/");
  CHECK(check_source_url("https://vnexpress.net:8443/rss").canonical == "https://vnexpress.net:8443/rss");
  CHECK(check_source_url("https://a.vn/a/../rss/%7euser?b=2&a=1").canonical ==
        "https://a.vn/rss/~user?b=2&a=1");
  CHECK(check_source_url("https://a.vn/tin-tức.rss").canonical == "https://a.vn/tin-t%E1%BB%A9c.rss");
  CHECK(check_source_url("file:///srv/demo/feed.xml").canonical == "file:///srv/demo/feed.xml");
  CHECK(check_source_url("http://[::1]:8080/feed").canonical == "http://[::1]:8080/feed");
  CHECK(check_source_url("file://remote/feed.xml").error == "a file:// URL names no host");
  CHECK(check_source_url("https://").error == "URL has no host");
  CHECK(check_source_url("https://a b.vn/").error == "URL contains whitespace (two URLs on one line?)");
  CHECK(check_source_url("http:/a.vn/rss").error == "expected 'http://' after the scheme");
  CHECK(check_source_url("hhttps://a.vn/rss").error == "unknown scheme 'hhttps' (did you mean 'https'?)");
  CHECK(check_source_url("https://a.vn:99999/").error == "invalid port '99999'");
}

TEST_CASE("the reader pages' time zone is checked like the sources' (issue #21)") {
  LoadResult set = parse_config("[server]\ndisplay_time_zone = \"Europe/Paris\"\n", "t.toml");
  REQUIRE(set.ok());
  CHECK(set.config->server.display_time_zone == "Europe/Paris");
  CHECK(parse_config("", "t.toml").config->server.display_time_zone.empty());  // defaults.time_zone's
  LoadResult wrong = parse_config("[server]\ndisplay_time_zone = \"Asia/Hanoi\"\n", "t.toml");
  REQUIRE(wrong.diagnostics.size() == 1);
  CHECK(wrong.diagnostics[0].to_string() ==
        "t.toml:2: server.display_time_zone: unknown time zone 'Asia/Hanoi' (did you mean "
        "'Asia/Ho_Chi_Minh'?)");
}

TEST_CASE("time zones are checked against ICU's list with a suggestion") {
  CHECK(check_time_zone("Asia/Ho_Chi_Minh").empty());
  CHECK(check_time_zone("UTC").empty());
  CHECK(check_time_zone("Asia/Saigon").empty());
  CHECK(check_time_zone("asia/ho_chi_minh") ==
        "unknown time zone 'asia/ho_chi_minh' (did you mean 'Asia/Ho_Chi_Minh'?)");
  CHECK(check_time_zone("Europe/Pariss") ==
        "unknown time zone 'Europe/Pariss' (did you mean 'Europe/Paris'?)");
  CHECK(check_time_zone("Mars/Olympus") == "unknown time zone 'Mars/Olympus'");
  // Names and offsets people write for Vietnam's zone point to it, not to the nearest spelling.
  CHECK(check_time_zone("Asia/Hanoi") == "unknown time zone 'Asia/Hanoi' (did you mean 'Asia/Ho_Chi_Minh'?)");
  CHECK(check_time_zone("ICT") == "unknown time zone 'ICT' (did you mean 'Asia/Ho_Chi_Minh'?)");
  CHECK(check_time_zone("GMT+7") == "unknown time zone 'GMT+7' (did you mean 'Asia/Ho_Chi_Minh'?)");
  CHECK(check_time_zone("Saigon") == "unknown time zone 'Saigon' (did you mean 'Asia/Ho_Chi_Minh'?)");
  CHECK(check_time_zone("Asia/Saigon").empty());  // the database's own old name stays valid
  CHECK(check_time_zone("") == "time zone is empty");
}

TEST_CASE("a valid reload replaces the config; an invalid one keeps it and says why") {
  TempFile file("[poll]\ndefault_interval = \"15m\"\n[[source]]\nurl = \"https://a.vn/rss\"\n");
  LoadResult first = load_config(file.path);
  REQUIRE(first.ok());
  LiveConfig live(std::move(*first.config));
  auto before = live.current();

  file.write("[poll]\ndefault_interval = \"forever\"\n[[source]]\nurl = \"htttp://b.vn/rss\"\n");
  LiveConfig::Outcome refused = live.reload();
  CHECK_FALSE(refused.applied);
  CHECK(live.current() == before);
  CHECK(live.current()->poll.default_interval == 15min);
  REQUIRE(live.last_errors().size() == 2);
  CHECK(live.last_errors()[1].to_string() ==
        file.path.string() + ":4: source[0].url: unknown scheme 'htttp' (did you mean 'http'?)");

  file.write("[server]\nlisten = \"127.0.0.1:9999\"\n[poll]\ndefault_interval = \"20m\"\n");
  LiveConfig::Outcome applied = live.reload();
  CHECK(applied.applied);
  CHECK(live.last_errors().empty());
  CHECK(live.current()->poll.default_interval == 20min);
  CHECK(live.current()->sources.empty());
  // The listener cannot move while running: the old address stays and the change is named.
  CHECK(applied.restart_needed == std::vector<std::string>{"server.listen"});
  CHECK(live.current()->server.listen.to_string() == "0.0.0.0:8080");
  CHECK(before->sources.size() == 1);  // an old snapshot is untouched
}

TEST_CASE("a reload keeps every setting fixed at start and names each one") {
  TempFile file("[poll]\njitter = 0.1\n");
  LoadResult first = load_config(file.path);
  REQUIRE(first.ok());
  LiveConfig live(std::move(*first.config));
  file.write(
      "[server]\nbase_url = \"https://tin.vn/\"\nmax_connections = 10\nidle_timeout = \"5s\"\n"
      "feed_limit = 20\nmax_feed_limit = 40\nrender_cache_bytes = \"8MiB\"\nmax_content_bytes = \"64KiB\"\n"
      "[admin]\ntoken_file = \"/etc/other-token\"\nmax_body_bytes = \"1MiB\"\n"
      "[database]\nbusy_timeout = \"9s\"\n[fetch]\nca_bundle = \"/etc/ca.pem\"\n[dedup]\nwindow = \"24h\"\n"
      "[poll]\njitter = 0.3\n");
  LiveConfig::Outcome applied = live.reload();
  REQUIRE(applied.applied);
  CHECK(applied.restart_needed ==
        std::vector<std::string>{"server.base_url", "server.max_connections", "server.idle_timeout",
                                 "server.feed_limit", "server.max_feed_limit", "server.render_cache_bytes",
                                 "server.max_content_bytes", "admin.token_file", "admin.max_body_bytes",
                                 "database.busy_timeout", "dedup.window", "fetch.ca_bundle"});
  Config running = *live.current();
  CHECK(running.poll.jitter == 0.3);
  running.poll.jitter = 0.1;
  Config defaults;
  defaults.file = file.path;
  CHECK(running == defaults);  // everything else is as it was at start
}

TEST_CASE("[cluster] names the node and its lease; unset, the host name decides and the lease is 2 minutes") {
  LoadResult set = parse_config("[cluster]\nnode = \"poller-2\"\nlease = \"30s\"\n", "");
  REQUIRE(set.ok());
  CHECK(set.config->cluster.node == "poller-2");
  CHECK(set.config->cluster.lease == std::chrono::seconds(30));

  LoadResult unset = parse_config("", "");
  REQUIRE(unset.ok());
  CHECK(unset.config->cluster.node.empty());
  CHECK(unset.config->cluster.lease == std::chrono::minutes(2));
}
