// Three daemons over one PostgreSQL database share the sources (issue #18, scheduling):
// no source is fetched twice within its interval, a host's spacing holds across the nodes,
// a node killed in the middle of a fetch gives its source up when its lease ends, nothing
// is stored twice and every node serves the same merged feed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>

#include "daemon_harness.hpp"
#include "support/postgres_server.hpp"
#include "support/process.hpp"
#include "support/test_http_server.hpp"
#include "tinhop/storage/store.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using tinhop::test::Daemon;
namespace http = tinhop::test::beast_http;

constexpr auto kLease = 3s;
const std::vector<std::string> kHosts = {"127.0.0.1", "localhost"};

// How many sources, how often each is polled and how far apart one host's requests start.
struct Scale {
  int sources_per_host = 6;
  std::chrono::seconds interval = 10s;
  std::chrono::seconds spacing = 1s;
};

// One request the feed server answered: which source, on which host, from which node.
struct Fetch {
  int source = 0;
  std::string host;
  std::string node;
  Clock::time_point at;
  bool stalled = false;
};

std::string feed_of(int source, int round) {
  std::string items;
  for (int r = 0; r <= round; ++r) {
    const std::string id = "s" + std::to_string(source) + "-r" + std::to_string(r);
    items += "<item><guid>" + id + "</guid><title>Nguồn " + std::to_string(source) + " tin " +
             std::to_string(r) + " " + id + "</title><link>https://tin.example/" + id + "</link></item>";
  }
  return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>S" + std::to_string(source) +
         "</title>" + items + "</channel></rss>";
}

struct Node {
  std::string name;
  int port = tinhop::test::free_loopback_port();
  std::unique_ptr<Daemon> daemon;
};

void write_config(const std::filesystem::path& file, const Node& node, const std::string& database,
                  const std::vector<std::string>& urls, const Scale& scale) {
  const std::string interval = std::to_string(scale.interval.count()) + "s";
  std::ofstream out(file);
  out << "[server]\nlisten = \"127.0.0.1:" << node.port << "\"\n"
      << "[admin]\nenabled = false\n"
      << "[database]\nurl = \"" << database << "\"\n"
      << "[cluster]\nnode = \"" << node.name << "\"\nlease = \"" << kLease.count() << "s\"\n"
      << "[fetch]\nuser_agent = \"" << node.name << "\"\nhost_spacing = \"" << scale.spacing.count()
      << "s\"\n"
      << "global_concurrency = 64\n"
      << "[poll]\nmin_interval = \"" << interval << "\"\ndefault_interval = \"" << interval
      << "\"\njitter = 0.0\n"
      // Every stored poll logged (an unchanged body's is a debug line): the killed node's log
      // tells which of its fetches it stored.
      << "[log]\nlevel = \"debug\"\n";
  for (const std::string& url : urls)
    out << "[[source]]\nurl = \"" << url << "\"\ninterval = \"" << interval << "\"\n";
}

std::string merged_feed(int port) {
  auto response = tinhop::test::http_exchange(port, http::verb::get, "/feed.atom?limit=200");
  return response && response->result_int() == 200 ? response->body() : std::string();
}

void run_three_nodes(const Scale& scale) {
  const auto kInterval = scale.interval;
  const auto kSpacing = scale.spacing;
  const int kSourcesPerHost = scale.sources_per_host;
  auto* postgres = tinhop::test::PostgresServer::instance();
  if (!postgres) {
    if (const char* ci = std::getenv("CI"); ci && std::string(ci) == "true") {
      FAIL("CI runs the multi-node test, but PostgreSQL is absent: "
           << tinhop::test::PostgresServer::absent_reason());
    }
    WARN("PostgreSQL absent, the multi-node test is skipped: "
         << tinhop::test::PostgresServer::absent_reason());
    return;
  }
  const std::string database = postgres->fresh_database();
  tinhop::test::TempFolder dir("tinhop-cluster");

  std::atomic<int> round{0};
  std::atomic<bool> stall_next{false};
  std::mutex fetches_mutex;
  std::vector<Fetch> fetches;
  tinhop::test::TestHttpServer feeds;
  std::vector<std::string> urls;
  for (std::size_t h = 0; h < kHosts.size(); ++h) {
    for (int i = 0; i < kSourcesPerHost; ++i) {
      const int source = static_cast<int>(h) * kSourcesPerHost + i;
      const std::string path = "/s" + std::to_string(source) + ".rss";
      std::string url = feeds.url(path);
      url.replace(url.find("127.0.0.1"), 9, kHosts[h]);
      urls.push_back(url);
      feeds.on(path, [&, source](const tinhop::test::HttpRequest& request) {
        Fetch fetch{source, request.header("host"), request.header("user-agent"), Clock::now(), false};
        fetch.host = fetch.host.substr(0, fetch.host.rfind(':'));
        // The first fetch once armed never ends: its node is killed holding that lease.
        fetch.stalled = stall_next.exchange(false);
        {
          std::lock_guard lock(fetches_mutex);
          fetches.push_back(fetch);
        }
        tinhop::test::Script script{.status = 200,
                                    .headers = {{"Content-Type", "application/rss+xml"}},
                                    .body = feed_of(source, round.load())};
        if (fetch.stalled) script.stall_after = 0;
        return script;
      });
    }
  }
  auto stalled_fetch = [&]() -> std::optional<Fetch> {
    std::lock_guard lock(fetches_mutex);
    for (const Fetch& f : fetches) {
      if (f.stalled) return f;
    }
    return std::nullopt;
  };

  std::vector<Node> nodes(3);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    nodes[i].name = std::string(1, static_cast<char>('a' + i));
    const auto config = dir.path / (nodes[i].name + ".toml");
    write_config(config, nodes[i], database, urls, scale);
    nodes[i].daemon = std::make_unique<Daemon>(config, dir.path / (nodes[i].name + ".log"));
    // The first node adds the sources; the others find them there.
    REQUIRE(nodes[i].daemon->wait_for_event("serve", "serve.started", 30s));
  }
  const auto started = Clock::now();
  std::this_thread::sleep_for(kInterval);
  round = 1;
  std::this_thread::sleep_for(kInterval);
  round = 2;
  stall_next = true;
  const auto stall_deadline = Clock::now() + kInterval + 2s;
  while (!stalled_fetch() && Clock::now() < stall_deadline) std::this_thread::sleep_for(20ms);
  const auto stalled = stalled_fetch();
  if (!stalled) {
    std::lock_guard lock(fetches_mutex);
    for (const Fetch& f : fetches)
      UNSCOPED_INFO(f.node << " fetched source " << f.source << " at "
                           << std::chrono::duration_cast<std::chrono::milliseconds>(f.at - started).count()
                           << " ms");
  }
  REQUIRE(stalled);
  const std::size_t victim = static_cast<std::size_t>(stalled->node[0] - 'a');
  REQUIRE(victim < nodes.size());
  nodes[victim].daemon->signal(SIGKILL);
  REQUIRE(nodes[victim].daemon->wait(5s) == -1);
  const auto killed = Clock::now();
  std::this_thread::sleep_for(kInterval);
  round = 3;
  // Every source fetched with the last round's items, by the nodes still running.
  std::this_thread::sleep_for(kInterval + kLease + 2s);

  std::vector<Fetch> seen;
  {
    std::lock_guard lock(fetches_mutex);
    seen = fetches;
  }
  INFO("fetches: " << seen.size() << " over "
                   << std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count()
                   << "s");
  // At most one fetch per source and interval. The times are when the server got each
  // request: a claim made on time can reach it seconds late on a loaded machine, so two
  // fetches of one due period (two nodes, or a node polling too soon) are those less than
  // half an interval apart.
  // The killed node's fetches that it never stored (in flight, or waiting for their commit
  // at the SIGKILL) are not its polls: the source was still due, and another node fetched it
  // again once the lease ran out, as it must. Its log has one poll.done per stored poll, so
  // its first `stored` fetches of a source are those it stored.
  std::map<std::string, int> source_of_url;
  for (std::size_t source = 0; source < urls.size(); ++source)
    source_of_url[urls[source]] = static_cast<int>(source);
  std::map<int, int> stored_by_killed;
  for (const std::string& event : nodes[victim].daemon->events("poll")) {
    const std::size_t at = event.find(" url=");
    if (!event.starts_with("poll.done ") || at == std::string::npos) continue;
    const std::size_t from = at + 5;
    const auto known = source_of_url.find(event.substr(from, event.find(' ', from) - from));
    if (known != source_of_url.end()) ++stored_by_killed[known->second];
  }
  std::vector<bool> unstored(seen.size(), false);
  for (std::size_t i = 0; i < seen.size(); ++i)
    unstored[i] = seen[i].node == nodes[victim].name && stored_by_killed[seen[i].source]-- <= 0;
  std::map<int, std::vector<Clock::time_point>> by_source;
  std::map<std::string, std::vector<Clock::time_point>> by_host;
  std::map<int, std::string> trail;  // each source's fetches, "node@ms", for the failure message
  std::vector<int> taken_while_leased;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    const Fetch& f = seen[i];
    by_host[f.host].push_back(f.at);
    if (!unstored[i]) by_source[f.source].push_back(f.at);
    trail[f.source] +=
        " " + f.node + "@" +
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(f.at - started).count()) +
        (f.stalled     ? "[stalled]"
         : unstored[i] ? "[not stored]"
                       : "");
    // An unstored fetch's lease held until the kill: no other node fetched its source meanwhile.
    if (!unstored[i]) continue;
    for (const Fetch& other : seen) {
      if (other.source == f.source && other.node != f.node && other.at > f.at && other.at < killed)
        taken_while_leased.push_back(f.source);
    }
  }
  CHECK(taken_while_leased.empty());
  REQUIRE(by_source.size() == urls.size());
  std::vector<int> polled_too_soon, polled_too_rarely;
  for (auto& [source, times] : by_source) {
    std::sort(times.begin(), times.end());
    if (times.size() < 4) polled_too_rarely.push_back(source);
    for (std::size_t i = 1; i < times.size(); ++i) {
      if (times[i] - times[i - 1] < kInterval / 2) {
        polled_too_soon.push_back(source);
        UNSCOPED_INFO("source " << source << " fetched:" << trail[source]);
        break;
      }
    }
  }
  CHECK(polled_too_soon.empty());
  CHECK(polled_too_rarely.empty());
  // The host's spacing, whichever node fetched: claims a second apart reach the server at
  // least half a second apart on a loaded machine.
  REQUIRE(by_host.size() == kHosts.size());
  for (auto& [host, times] : by_host) {
    std::sort(times.begin(), times.end());
    INFO("host " << host);
    std::size_t too_close = 0;
    for (std::size_t i = 1; i < times.size(); ++i) too_close += times[i] - times[i - 1] < kSpacing / 2;
    CHECK(too_close == 0);
  }
  // The killed node's source, polled by another within one lease and one interval.
  const auto refetch = std::find_if(seen.begin(), seen.end(), [&](const Fetch& f) {
    return f.source == stalled->source && f.at > stalled->at && !f.stalled;
  });
  REQUIRE(refetch != seen.end());
  CHECK(refetch->node != nodes[victim].name);
  CHECK(refetch->at - killed <= kLease + kInterval);

  // Every round's items stored once, and the same merged feed from each running node.
  auto store = tinhop::storage::Store::open(database);
  REQUIRE(store.has_value());
  auto stats = store->stats();
  REQUIRE(stats.has_value());
  CHECK(stats->items == static_cast<std::int64_t>(urls.size()) * 4);
  std::vector<std::size_t> running;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (i != victim) running.push_back(i);
  const std::string from_first = merged_feed(nodes[running[0]].port);
  CHECK_FALSE(from_first.empty());
  CHECK(from_first == merged_feed(nodes[running[1]].port));
  auto status =
      store->cluster_status(std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now()));
  REQUIRE(status.has_value());
  REQUIRE(status->size() == 3);
  CHECK((*status)[victim].node == nodes[victim].name);
  CHECK((*status)[victim].leases_held == 0);  // its lease ran out
  std::int64_t sources = 0;
  for (const auto& node : *status) sources += node.sources;
  CHECK(sources == static_cast<std::int64_t>(urls.size()));

  for (std::size_t i : running) {
    nodes[i].daemon->signal(SIGTERM);
    CHECK(nodes[i].daemon->wait(20s) == 0);
  }
}

}  // namespace

TEST_CASE("three nodes over one database fetch each source once per interval and survive a killed node",
          "[cluster]") {
  run_three_nodes({});
}

// bench/cluster-poll: the same with 2,000 sources, no host spacing (two hosts could not serve
// 2,000 sources a second apart), a minute apart.
TEST_CASE("three nodes share 2,000 sources", "[.][cluster-bench]") {
  run_three_nodes({.sources_per_host = 1000, .interval = 60s, .spacing = 0s});
}
