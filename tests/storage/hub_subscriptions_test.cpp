// Readers' subscriptions to our feeds at our own WebSub hub (issue #19, the hub side):
// kept by topic and callback, replaced on renewal, kept across a restart.
#include <catch2/catch.hpp>

#include "support.hpp"

using tinhop::storage::HubSubscription;
using namespace tinhop::test;

namespace {

HubSubscription hub_subscription(const std::string& topic, const std::string& callback) {
  return {topic, callback, "s3cret", at(1710374400 + 864000), kNow};
}

}  // namespace

TEST_CASE("hub subscriptions are listed by topic and callback", "[websub][hub]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  REQUIRE(
      store.save_hub_subscription(hub_subscription("https://news.example/feed.rss", "https://b.example/cb"))
          .has_value());
  REQUIRE(
      store.save_hub_subscription(hub_subscription("https://news.example/feed.atom", "https://a.example/cb"))
          .has_value());
  REQUIRE(
      store.save_hub_subscription(hub_subscription("https://news.example/feed.atom", "https://c.example/cb"))
          .has_value());

  auto all = store.list_hub_subscriptions();
  REQUIRE(all.has_value());
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].topic == "https://news.example/feed.atom");
  CHECK((*all)[0].callback == "https://a.example/cb");
  CHECK((*all)[0].secret == "s3cret");
  CHECK((*all)[0].lease_until == at(1710374400 + 864000));
  CHECK((*all)[0].created == kNow);
  CHECK((*all)[1].callback == "https://c.example/cb");
  CHECK((*all)[2].topic == "https://news.example/feed.rss");
}

TEST_CASE("subscribing again to a topic replaces the secret and the lease", "[websub][hub]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  REQUIRE(
      store.save_hub_subscription(hub_subscription("https://news.example/feed.atom", "https://a.example/cb"))
          .has_value());
  HubSubscription renewed = hub_subscription("https://news.example/feed.atom", "https://a.example/cb");
  renewed.secret = "";
  renewed.lease_until = at(1710374400 + 7200);
  renewed.created = at(1710374400 + 3600);
  REQUIRE(store.save_hub_subscription(renewed).has_value());

  auto all = store.list_hub_subscriptions();
  REQUIRE(all.has_value());
  REQUIRE(all->size() == 1);
  CHECK(all->front().secret.empty());
  CHECK(all->front().lease_until == at(1710374400 + 7200));
  CHECK(all->front().created == at(1710374400 + 3600));
}

TEST_CASE("removing a hub subscription forgets that topic's callback only", "[websub][hub]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  REQUIRE(
      store.save_hub_subscription(hub_subscription("https://news.example/feed.atom", "https://a.example/cb"))
          .has_value());
  REQUIRE(
      store.save_hub_subscription(hub_subscription("https://news.example/feed.rss", "https://a.example/cb"))
          .has_value());
  REQUIRE(
      store.remove_hub_subscription("https://news.example/feed.atom", "https://a.example/cb").has_value());
  REQUIRE(
      store.remove_hub_subscription("https://news.example/feed.json", "https://a.example/cb").has_value());

  auto all = store.list_hub_subscriptions();
  REQUIRE(all.has_value());
  REQUIRE(all->size() == 1);
  CHECK(all->front().topic == "https://news.example/feed.rss");
}

TEST_CASE("hub subscriptions survive closing and reopening the database", "[websub][hub]") {
  TINHOP_EACH_BACKEND(backend);
  TempDir dir;
  const std::string location = backend == StorageBackend::sqlite
                                   ? (dir.path / "tinhop.db").string()
                                   : PostgresServer::instance()->fresh_database();
  {
    auto store = tinhop::storage::Store::open(location);
    REQUIRE(store.has_value());
    REQUIRE(store
                ->save_hub_subscription(
                    hub_subscription("https://news.example/feed.atom", "https://a.example/cb"))
                .has_value());
  }
  auto store = tinhop::storage::Store::open(location);
  REQUIRE(store.has_value());
  auto kept = store->list_hub_subscriptions();
  REQUIRE(kept.has_value());
  REQUIRE(kept->size() == 1);
  CHECK(kept->front().callback == "https://a.example/cb");
  CHECK(kept->front().lease_until == at(1710374400 + 864000));
}
