// Every way a configuration file goes wrong is reported with its line, its key and a
// message that says what to write instead, and every problem of a file at once.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "tinhop/config/config.hpp"

using tinhop::test::diagnostics_of;

namespace {

struct Case {
  const char* name;
  const char* toml;
  std::vector<std::string> expected;  // every diagnostic, in order
};

const std::vector<Case> invalid_cases = {
    {"a TOML syntax error",
     "[server\nlisten = 1\n",
     {"t.toml:1: syntax: Error while parsing table header: expected ']', saw '\\n'"}},
    {"an unknown top-level table",
     "[servr]\nlisten = \"0.0.0.0:80\"\n",
     {"t.toml:1: servr: unknown key (did you mean 'server'?)"}},
    {"an unknown key in a section",
     "[fetch]\ntimout = \"10s\"\n",
     {"t.toml:2: fetch.timout: unknown key (did you mean 'timeout'?)"}},
    {"a section that is not a table",
     "fetch = 3\n",
     {"t.toml:1: fetch: expected a table ([fetch]), got an integer"}},
    {"a listen address with a host name",
     "[server]\nlisten = \"localhost:8080\"\n",
     {"t.toml:2: server.listen: invalid listen address \"localhost:8080\" (expected IP:PORT, e.g. "
      "\"127.0.0.1:8081\" or \"[::1]:8081\")"}},
    {"a listen address with port 0",
     "[server]\nlisten = \"127.0.0.1:0\"\n",
     {"t.toml:2: server.listen: invalid listen address \"127.0.0.1:0\" (expected IP:PORT, e.g. "
      "\"127.0.0.1:8081\" or \"[::1]:8081\")"}},
    {"an IPv6 listen address without brackets",
     "[admin]\nlisten = \"::1:8081\"\n",
     {"t.toml:2: admin.listen: invalid listen address \"::1:8081\" (expected IP:PORT, e.g. "
      "\"127.0.0.1:8081\" or \"[::1]:8081\")"}},
    {"the admin API on the public listener's address",
     "[server]\nlisten = \"127.0.0.1:8080\"\n[admin]\nlisten = \"127.0.0.1:8080\"\n",
     {"t.toml:4: admin.listen: same address as server.listen; the admin API needs its own listener"}},
    {"an enabled admin API without a token file",
     "[admin]\ntoken_file = \"\"\n",
     {"t.toml:2: admin.token_file: the admin API needs a token file (or set admin.enabled = false)"}},
    {"a relative token file",
     "[admin]\ntoken_file = \"token\"\n",
     {"t.toml:2: admin.token_file: must be an absolute path or start with $CREDENTIALS_DIRECTORY"}},
    {"a string where a boolean belongs",
     "[admin]\nenabled = \"yes\"\n",
     {"t.toml:2: admin.enabled: expected a boolean (true or false), got a string"}},
    {"an unreadable duration",
     "[fetch]\ntimeout = \"10 seconds\"\n",
     {"t.toml:2: fetch.timeout: invalid duration \"10 seconds\" (write seconds, or a number with a unit s, "
      "m, "
      "h, d or w: \"90s\", \"15m\", \"1h30m\")"}},
    {"a negative duration",
     "[fetch]\ntimeout = -5\n",
     {"t.toml:2: fetch.timeout: must not be negative, got -5"}},
    {"a duration out of range",
     "[fetch]\ntimeout = \"2h\"\n",
     {"t.toml:2: fetch.timeout: must be between 1s and 1h, got 2h"}},
    {"a connect timeout above the whole timeout",
     "[fetch]\nconnect_timeout = \"2m\"\ntimeout = \"1m\"\n",
     {"t.toml:2: fetch.connect_timeout: 2m is above fetch.timeout 1m"}},
    {"a concurrency floor of zero",
     "[fetch]\nmin_concurrency = 0\n",
     {"t.toml:2: fetch.min_concurrency: must be between 1 and 4096, got 0"}},
    {"a concurrency floor above the global limit",
     "[fetch]\nglobal_concurrency = 4\nmin_concurrency = 5\n",
     {"t.toml:3: fetch.min_concurrency: 5 is above fetch.global_concurrency 4"}},
    {"an unreadable size",
     "[fetch]\nmax_body_bytes = \"20 megs\"\n",
     {"t.toml:2: fetch.max_body_bytes: invalid size \"20 megs\" (write bytes, or a number with KiB, MiB or "
      "GiB)"}},
    {"a size too small",
     "[fetch]\nmax_body_bytes = 10\n",
     {"t.toml:2: fetch.max_body_bytes: must be between 1024 and 1073741824 bytes, got 10"}},
    {"a render cache too small to hold a feed",
     "[server]\nrender_cache_bytes = \"64KiB\"\n",
     {"t.toml:2: server.render_cache_bytes: must be between 1048576 and 17179869184 bytes, got 65536"}},
    {"an integer out of range",
     "[fetch]\nper_host_concurrency = 0\n",
     {"t.toml:2: fetch.per_host_concurrency: must be between 1 and 64, got 0"}},
    {"a float where an integer belongs",
     "[fetch]\nmax_redirects = 2.5\n",
     {"t.toml:2: fetch.max_redirects: expected an integer, got a float"}},
    {"a proxy with a typo in its scheme",
     "[fetch]\nproxy = \"htp://proxy:3128\"\n",
     {"t.toml:2: fetch.proxy: unknown scheme 'htp' (did you mean 'http'?)"}},
    {"poll bounds upside down",
     "[poll]\nmin_interval = \"2h\"\nmax_interval = \"1h\"\n",
     {"t.toml:2: poll.min_interval: 2h is above poll.max_interval 1h"}},
    {"a default interval outside the bounds",
     "[poll]\ndefault_interval = \"1m\"\nmin_interval = \"5m\"\n",
     {"t.toml:2: poll.default_interval: 1m is outside poll.min_interval..poll.max_interval (5m..1d)"}},
    {"a jitter above one half",
     "[poll]\njitter = 0.9\n",
     {"t.toml:2: poll.jitter: must be between 0 and 0.5, got 0.9"}},
    {"a similarity above 1",
     "[dedup]\nsimilarity = 1.5\n",
     {"t.toml:2: dedup.similarity: must be between 0.05 and 1, got 1.5"}},
    {"a misspelled default time zone",
     "[defaults]\ntime_zone = \"Asia/Ho_Chi_Mihn\"\n",
     {"t.toml:2: defaults.time_zone: unknown time zone 'Asia/Ho_Chi_Mihn' (did you mean "
      "'Asia/Ho_Chi_Minh'?)"}},
    {"an unknown date order",
     "[defaults]\ndate_order = \"ymd\"\n",
     {"t.toml:2: defaults.date_order: unknown value \"ymd\" (expected one of: auto, dmy, mdy)"}},
    {"an unknown log level",
     "[log]\nlevel = \"verbose\"\n",
     {"t.toml:2: log.level: unknown value \"verbose\" (expected one of: trace, debug, info, warn, error, "
      "critical, off)"}},
    {"an unknown log format",
     "[log]\nformat = \"xml\"\n",
     {"t.toml:2: log.format: unknown value \"xml\" (expected one of: text, json)"}},
    {"an empty database path", "[database]\npath = \"\"\n", {"t.toml:2: database.path: must not be empty"}},
    {"a database url that is neither a PostgreSQL URI nor libpq words",
     "[database]\nurl = \"mysql://db/news\"\n",
     {"t.toml:2: database.url: must be a postgresql:// URI or libpq key=value words (host=/run/postgresql "
      "dbname=tinhop)"}},
    {"a password in the database url",
     "[database]\nurl = \"postgresql://news:s3cret@db.example/news\"\n",
     {"t.toml:2: database.url: must not hold a password: put it in database.password_file or PGPASSFILE"}},
    {"a password among libpq words",
     "[database]\nurl = \"host=db.example password=s3cret dbname=news\"\n",
     {"t.toml:2: database.url: must not hold a password: put it in database.password_file or PGPASSFILE"}},
    {"both a SQLite path and a PostgreSQL url",
     "[database]\npath = \"t.db\"\nurl = \"postgresql://news@db.example/news\"\n",
     {"t.toml:3: database.url: set path (SQLite) or url (PostgreSQL), not both"}},
    {"a password file without a url",
     "[database]\npassword_file = \"/etc/tinhop/pgpass\"\n",
     {"t.toml:2: database.password_file: needs database.url"}},
    {"a single [source] table instead of an array",
     "[source]\nurl = \"https://a.vn/rss\"\n",
     {"t.toml:1: source: expected an array of tables ([[source]]), got a table"}},
    {"a source without a url",
     "[[source]]\ntitle = \"A\"\n",
     {"t.toml:1: source[0].url: a source needs a url"}},
    {"a url scheme typo as found in real lists",
     "[[source]]\nurl = \"htttp://dantri.com.vn/xa-hoi.rss\"\n",
     {"t.toml:2: source[0].url: unknown scheme 'htttp' (did you mean 'http'?)"}},
    {"a url with a trailing space",
     "[[source]]\nurl = \"http://danviet.vn/rss/home.rss \"\n",
     {"t.toml:2: source[0].url: URL has trailing whitespace"}},
    {"a url with no scheme",
     "[[source]]\nurl = \"vnexpress.net/rss/thoi-su.rss\"\n",
     {"t.toml:2: source[0].url: URL has no scheme (did you mean 'https://vnexpress.net/rss/thoi-su.rss'?)"}},
    {"two urls pasted together",
     "[[source]]\nurl = \"https://mt.ghttps://mt.gov.vn/vn/tin-tuc.aspx\"\n",
     {"t.toml:2: source[0].url: URL contains a second '://' (two URLs pasted together?)"}},
    {"an ftp url",
     "[[source]]\nurl = \"ftp://example.vn/feed.xml\"\n",
     {"t.toml:2: source[0].url: unsupported scheme 'ftp' (expected http, https or file)"}},
    {"a duplicate that differs only in case and default port",
     "[[source]]\nurl = \"http://baophapluat.vn/rss/thoi-su-276.rss\"\n\n[[source]]\nurl = "
     "\"HTTP://BaoPhapLuat.vn:80/rss/thoi-su-276.rss#top\"\n",
     {"t.toml:5: source[1].url: duplicate of source[0] at line 1 (same URL after canonicalization: "
      "http://baophapluat.vn/rss/thoi-su-276.rss)"}},
    {"an unknown key in a source",
     "[[source]]\nurl = \"https://a.vn/rss\"\nintervall = \"5m\"\n",
     {"t.toml:3: source[0].intervall: unknown key (did you mean 'interval'?)"}},
    {"a bad source time zone",
     "[[source]]\nurl = \"https://a.vn/rss\"\ntime_zone = \"Vietnam/Hanoi\"\n",
     {"t.toml:3: source[0].time_zone: unknown time zone 'Vietnam/Hanoi'"}},
    {"an unknown source type",
     "[[source]]\nurl = \"https://a.vn/rss\"\ntype = \"atom\"\n",
     {"t.toml:3: source[0].type: unknown value \"atom\" (expected one of: feed, html)"}},
    {"an unknown republication policy",
     "[[source]]\nurl = \"https://a.vn/rss\"\nrepublication = \"excerpt\"\n",
     {"t.toml:3: source[0].republication: unknown value \"excerpt\" (expected one of: full, summary, "
      "title)"}},
    {"an interval below the poll floor",
     "[[source]]\nurl = \"https://a.vn/rss\"\ninterval = \"30s\"\n",
     {"t.toml:3: source[0].interval: must be between 2m and 1d, got 30s"}},
    {"a source min interval above its max",
     "[[source]]\nurl = \"https://a.vn/rss\"\nmin_interval = \"2h\"\nmax_interval = \"1h\"\n",
     {"t.toml:3: source[0].min_interval: 2h is above max_interval 1h"}},
    {"categories that are not an array",
     "[[source]]\nurl = \"https://a.vn/rss\"\ncategories = \"kinh-te\"\n",
     {"t.toml:3: source[0].categories: expected an array of strings, got a string"}},
    {"an empty category",
     "[[source]]\nurl = \"https://a.vn/rss\"\ncategories = [\"kinh-te\", \" \"]\n",
     {"t.toml:3: source[0].categories: a category is empty"}},
    {"a header tinhop manages itself",
     "[[source]]\nurl = \"https://a.vn/rss\"\nheaders = { Host = \"b.vn\" }\n",
     {"t.toml:3: source[0].headers: header 'Host' is managed by tinhop and cannot be set"}},
    {"a header value that is not a string",
     "[[source]]\nurl = \"https://a.vn/rss\"\n[source.headers]\nX-Key = 5\n",
     {"t.toml:4: source[0].headers.X-Key: expected a string, got an integer"}},
    {"an html source without an item selector",
     "[[source]]\nurl = \"https://a.gov.vn/tin-tuc\"\ntype = \"html\"\n",
     {"t.toml:3: source[0].html.item: an html source needs an item selector"}},
    {"selectors on a feed source",
     "[[source]]\nurl = \"https://a.vn/rss\"\n[source.html]\nitem = \"article\"\n",
     {"t.toml:3: source[0].html: selectors apply only to type = \"html\""}},
    {"a cluster lease too short to renew",
     "[cluster]\nlease = \"1s\"\n",
     {"t.toml:2: cluster.lease: must be between 3s and 1h, got 1s"}},
    {"an empty node name", "[cluster]\nnode = \"\"\n", {"t.toml:2: cluster.node: must not be empty"}},
    {"an unknown selector",
     "[[source]]\nurl = \"https://a.vn/x\"\ntype = \"html\"\nhtml = { item = \"li\", author = \"b\" }\n",
     {"t.toml:4: source[0].html.author: unknown key"}},
};

}  // namespace

TEST_CASE("each invalid configuration is reported with its exact messages") {
  REQUIRE(invalid_cases.size() >= 30);
  for (const Case& c : invalid_cases) {
    INFO(c.name);
    tinhop::config::LoadResult result = tinhop::config::parse_config(c.toml, "t.toml");
    CHECK_FALSE(result.ok());
    CHECK(diagnostics_of(c.toml) == c.expected);
  }
}

TEST_CASE("every problem of a file is reported, not just the first") {
  const char* toml =
      "[fetch]\n"
      "timeout = \"forever\"\n"
      "[log]\n"
      "level = \"loud\"\n"
      "[[source]]\n"
      "url = \"htttp://dantri.com.vn/xa-hoi.rss\"\n"
      "[[source]]\n"
      "url = \"https://a.vn/rss\"\n"
      "time_zone = \"Asia/Saigonn\"\n";
  std::vector<std::string> expected = {
      "t.toml:2: fetch.timeout: invalid duration \"forever\" (write seconds, or a number with a unit s, m, "
      "h, d or "
      "w: \"90s\", \"15m\", \"1h30m\")",
      "t.toml:4: log.level: unknown value \"loud\" (expected one of: trace, debug, info, warn, error, "
      "critical, off)",
      "t.toml:6: source[0].url: unknown scheme 'htttp' (did you mean 'http'?)",
      "t.toml:9: source[1].time_zone: unknown time zone 'Asia/Saigonn' (did you mean 'Asia/Saigon'?)",
  };
  CHECK(diagnostics_of(toml) == expected);
}

TEST_CASE("an admin API beyond loopback is an error unless admin.allow_remote says so") {
  auto refused = tinhop::config::parse_config("[admin]\nlisten = \"0.0.0.0:8081\"\n", "t.toml");
  CHECK_FALSE(refused.ok());
  REQUIRE(refused.diagnostics.size() == 1);
  CHECK(refused.diagnostics[0].to_string() ==
        "t.toml:2: admin.listen: 0.0.0.0:8081 is beyond loopback; set admin.allow_remote = true to allow it "
        "(and put it behind TLS and a firewall), or listen on 127.0.0.1 or a unix: socket");
  CHECK_FALSE(tinhop::config::parse_config("[admin]\nlisten = \"[::]:8081\"\n", "t.toml").ok());
  CHECK_FALSE(tinhop::config::parse_config("[admin]\nlisten = \"192.168.1.5:8081\"\n", "t.toml").ok());

  auto allowed =
      tinhop::config::parse_config("[admin]\nlisten = \"0.0.0.0:8081\"\nallow_remote = true\n", "t.toml");
  REQUIRE(allowed.ok());
  CHECK(allowed.config->admin.allow_remote);
  REQUIRE(allowed.diagnostics.size() == 1);
  CHECK(allowed.diagnostics[0].to_string() ==
        "t.toml:2: admin.listen: warning: the admin API listens beyond loopback; put it behind TLS and a "
        "firewall");

  // All of 127.0.0.0/8, ::1 and the IPv4-mapped loopback are this host.
  for (const char* local : {"127.0.0.1:8081", "127.0.0.2:8081", "[::1]:8081", "[::ffff:127.0.0.1]:8081"}) {
    INFO(local);
    auto result =
        tinhop::config::parse_config(std::string("[admin]\nlisten = \"") + local + "\"\n", "t.toml");
    CHECK(result.ok());
    CHECK(result.diagnostics.empty());
  }
}

TEST_CASE("admin.listen takes a Unix socket and server.listen does not") {
  auto result = tinhop::config::parse_config("[admin]\nlisten = \"unix:/run/tinhop/admin.sock\"\n", "t.toml");
  REQUIRE(result.ok());
  CHECK(result.diagnostics.empty());
  CHECK(result.config->admin.listen.is_unix());
  CHECK(result.config->admin.listen.unix_path == "/run/tinhop/admin.sock");
  CHECK(result.config->admin.listen.to_string() == "unix:/run/tinhop/admin.sock");

  CHECK(
      diagnostics_of("[admin]\nlisten = \"unix:admin.sock\"\n") ==
      std::vector<std::string>{"t.toml:2: admin.listen: invalid listen address \"unix:admin.sock\" (expected "
                               "unix:/absolute/path of at most 107 bytes)"});
  CHECK(diagnostics_of(("[admin]\nlisten = \"unix:/" + std::string(120, 'a') + "\"\n").c_str()).size() == 1);
  CHECK(diagnostics_of("[server]\nlisten = \"unix:/run/tinhop/feeds.sock\"\n") ==
        std::vector<std::string>{
            "t.toml:2: server.listen: a Unix socket is for admin.listen only; the feeds need IP:PORT"});
}

TEST_CASE("the connection limits of the public listener are read with their bounds") {
  auto result = tinhop::config::parse_config(
      "[server]\nmax_connections = 64\nmax_connections_per_ip = 8\nheader_timeout = \"3s\"\n", "t.toml");
  REQUIRE(result.ok());
  CHECK(result.config->server.max_connections == 64);
  CHECK(result.config->server.max_connections_per_ip == 8);
  CHECK(result.config->server.header_timeout == std::chrono::seconds(3));
  tinhop::config::ServerConfig defaults;
  CHECK(defaults.max_connections_per_ip == 0);
  CHECK(defaults.header_timeout == std::chrono::seconds(10));
  CHECK_FALSE(tinhop::config::parse_config("[server]\nheader_timeout = \"0s\"\n", "t.toml").ok());
}

TEST_CASE("the hub's leases and subscription cap are read, the default no longer than the maximum") {
  auto result = tinhop::config::parse_config(
      "[websub]\nhub = false\nhub_default_lease = \"1d\"\nhub_max_lease = \"2d\"\nhub_max_subscriptions = "
      "50\n",
      "t.toml");
  REQUIRE(result.ok());
  CHECK_FALSE(result.config->websub.hub);
  CHECK(result.config->websub.hub_default_lease == std::chrono::hours(24));
  CHECK(result.config->websub.hub_max_lease == std::chrono::hours(48));
  CHECK(result.config->websub.hub_max_subscriptions == 50);
  CHECK(diagnostics_of("[websub]\nhub_default_lease = \"3d\"\nhub_max_lease = \"2d\"\n") ==
        std::vector<std::string>{
            "t.toml:2: websub.hub_default_lease: must not be longer than websub.hub_max_lease"});
  CHECK(diagnostics_of("[websub]\nhub_max_subscriptions = 0\n").size() == 1);
}

TEST_CASE("the external hubs to ping are http or https URLs") {
  auto result = tinhop::config::parse_config(
      "[websub]\npublish_to = [\"https://pubsubhubbub.appspot.com/\", \"http://127.0.0.1:8085/hub\"]\n",
      "t.toml");
  REQUIRE(result.ok());
  CHECK(result.config->websub.publish_to ==
        std::vector<std::string>{"https://pubsubhubbub.appspot.com/", "http://127.0.0.1:8085/hub"});
  CHECK(tinhop::config::parse_config("", "t.toml").config->websub.publish_to.empty());
  CHECK(diagnostics_of("[websub]\npublish_to = [\"file:///tmp/hub\"]\n") ==
        std::vector<std::string>{
            "t.toml:2: websub.publish_to: \"file:///tmp/hub\" is not an http:// or https:// URL"});
  CHECK(diagnostics_of("[websub]\npublish_to = \"https://hub.example/\"\n").size() == 1);
}

TEST_CASE("a NUL or another control character in a source's title, category or selector is refused") {
  // TOML's \u escapes let a file carry any of them.
  CHECK(diagnostics_of("[[source]]\nurl = \"https://a.vn/rss\"\ntitle = \"Tin\\u0000 ngày\"\n") ==
        std::vector<std::string>{"t.toml:3: source[0].title: contains a control character"});
  CHECK(
      diagnostics_of("[[source]]\nurl = \"https://a.vn/rss\"\ncategories = [\"thời sự\", \"a\\u001bb\"]\n") ==
      std::vector<std::string>{"t.toml:3: source[0].categories: a category contains a control character"});
  CHECK(diagnostics_of("[[source]]\nurl = \"https://a.vn/rss\"\ntitle = \"one\\ntwo\"\n") ==
        std::vector<std::string>{"t.toml:3: source[0].title: contains a control character"});

  // The same rule for every way in (CLI, admin API, OPML): check_settings.
  tinhop::config::SourceSettings s;
  s.url = "https://a.vn/rss";
  s.title = std::string("Tin\0 ngày", 10);
  CHECK(tinhop::config::check_settings(s) == std::vector<std::string>{"title: contains a control character"});
  s.title = "Tin ngày";
  s.categories = {"x\x7Fy"};
  CHECK(tinhop::config::check_settings(s) ==
        std::vector<std::string>{"categories: a category contains a control character"});
  s.categories = {};
  s.type = tinhop::config::SourceType::html;
  s.selectors.item = std::string("article\0.story", 14);
  CHECK(tinhop::config::check_settings(s) ==
        std::vector<std::string>{"html.item: contains a control character"});
  s.selectors.item = "article.story";
  CHECK(tinhop::config::check_settings(s).empty());
}

TEST_CASE("an unreadable file is one error naming the file") {
  auto result = tinhop::config::load_config("/nonexistent/tinhop.toml");
  REQUIRE_FALSE(result.ok());
  REQUIRE(result.diagnostics.size() == 1);
  CHECK(result.diagnostics[0].to_string() ==
        "/nonexistent/tinhop.toml:0: file: cannot read: No such file or directory");
}
