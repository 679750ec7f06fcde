// The connection table: at the cap the longest-waiting connection gives way, a busy one
// never does, and one peer holds at most its share.
#include <catch2/catch.hpp>
#include <vector>

#include "tinhop/connections/table.hpp"

namespace {

using tinhop::connections::Limits;
using tinhop::connections::Table;
using Outcome = Table::Admission::Outcome;

// Records which connections were asked to close.
struct Closed {
  std::vector<int> ids;
  std::function<void()> callback(int n) {
    return [this, n] { ids.push_back(n); };
  }
};

}  // namespace

TEST_CASE("a full table admits a newcomer by closing the connection that waited longest") {
  Closed closed;
  Table table(Limits{.max_connections = 3});
  auto a = table.admit("10.0.0.1", closed.callback(1));
  auto b = table.admit("10.0.0.2", closed.callback(2));
  auto c = table.admit("10.0.0.3", closed.callback(3));
  CHECK(a.outcome == Outcome::admitted);
  CHECK(c.outcome == Outcome::admitted);
  // a finished a response and waits again: now b has waited longest.
  REQUIRE(table.busy(a.id));
  table.waiting(a.id);
  auto d = table.admit("10.0.0.4", closed.callback(4));
  CHECK(d.outcome == Outcome::admitted_evicting);
  CHECK(closed.ids == std::vector<int>{2});
  CHECK(table.size() == 3);
  CHECK_FALSE(table.busy(b.id));  // b learns it gave way when its headers arrive
  table.release(b.id);            // and its own close changes nothing
  CHECK(table.size() == 3);
  CHECK(table.evicted() == 1);
}

TEST_CASE("a busy connection never gives way, and a full table of busy ones refuses") {
  Closed closed;
  Table table(Limits{.max_connections = 2});
  auto a = table.admit("", closed.callback(1));
  auto b = table.admit("", closed.callback(2));
  REQUIRE(table.busy(a.id));
  REQUIRE(table.busy(b.id));
  auto c = table.admit("", closed.callback(3));
  CHECK(c.outcome == Outcome::refused_full);
  CHECK(c.id == 0);
  CHECK(closed.ids.empty());
  table.release(a.id);
  CHECK(table.admit("", closed.callback(4)).outcome == Outcome::admitted);
}

TEST_CASE("one peer holds at most max_per_peer connections and others are not affected") {
  Closed closed;
  Table table(Limits{.max_connections = 10, .max_per_peer = 2});
  auto a = table.admit("10.0.0.1", closed.callback(1));
  table.admit("10.0.0.1", closed.callback(2));
  CHECK(table.admit("10.0.0.1", closed.callback(3)).outcome == Outcome::refused_peer);
  CHECK(table.admit("10.0.0.2", closed.callback(4)).outcome == Outcome::admitted);
  CHECK(table.admit("", closed.callback(5)).outcome == Outcome::admitted);  // Unix sockets: no peer
  table.release(a.id);
  CHECK(table.admit("10.0.0.1", closed.callback(6)).outcome == Outcome::admitted);
  CHECK(closed.ids.empty());
}

TEST_CASE("clients are limited by IPv4 address and by IPv6 /64") {
  using boost::asio::ip::make_address;
  using tinhop::connections::peer_key;
  CHECK(peer_key(make_address("203.0.113.7")) == "203.0.113.7");
  CHECK(peer_key(make_address("::ffff:203.0.113.7")) == "203.0.113.7");
  CHECK(peer_key(make_address("2001:db8:1:2:aaaa::1")) == "2001:0db8:0001:0002::/64");
  CHECK(peer_key(make_address("2001:db8:1:2:bbbb::9")) == peer_key(make_address("2001:db8:1:2::1")));
  CHECK(peer_key(make_address("2001:db8:1:3::1")) != peer_key(make_address("2001:db8:1:2::1")));
}
