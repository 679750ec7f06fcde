// Our WebSub subscriptions to publishers' hubs (issue #19): stored per source, found by
// their callback token, kept across a restart.
#include <catch2/catch.hpp>

#include "support.hpp"

using tinhop::storage::Errc;
using tinhop::storage::Subscription;
using tinhop::storage::SubscriptionState;
using namespace tinhop::test;

namespace {

Subscription subscription(std::int64_t source_id, const std::string& callback) {
  Subscription s;
  s.source_id = source_id;
  s.hub = "https://hub.example/";
  s.topic = "https://news.example/feed";
  s.callback = callback;
  s.secret = "s3cret";
  s.state = SubscriptionState::requested;
  s.changed = kNow;
  return s;
}

}  // namespace

TEST_CASE("a saved subscription is found by its source and by its callback token", "[websub]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  REQUIRE(store.save_subscription(subscription(7, "token-7")).has_value());

  auto by_source = store.subscription_of_source(7);
  REQUIRE(by_source.has_value());
  REQUIRE(*by_source);
  CHECK((*by_source)->hub == "https://hub.example/");
  CHECK((*by_source)->topic == "https://news.example/feed");
  CHECK((*by_source)->secret == "s3cret");
  CHECK((*by_source)->state == SubscriptionState::requested);
  CHECK_FALSE((*by_source)->lease_until);
  CHECK((*by_source)->changed == kNow);

  auto by_callback = store.subscription_by_callback("token-7");
  REQUIRE(by_callback.has_value());
  REQUIRE(*by_callback);
  CHECK((*by_callback)->source_id == 7);
  CHECK_FALSE(*store.subscription_by_callback("token-8"));
  CHECK_FALSE(*store.subscription_of_source(8));
}

TEST_CASE("saving again replaces the source's subscription", "[websub]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  REQUIRE(store.save_subscription(subscription(7, "token-7")).has_value());
  Subscription active = subscription(7, "token-7b");
  active.state = SubscriptionState::active;
  active.lease_until = at(1710374400 + 864000);
  REQUIRE(store.save_subscription(active).has_value());

  auto all = store.list_subscriptions();
  REQUIRE(all.has_value());
  REQUIRE(all->size() == 1);
  CHECK(all->front().callback == "token-7b");
  CHECK(all->front().state == SubscriptionState::active);
  CHECK(all->front().lease_until == at(1710374400 + 864000));
  CHECK_FALSE(*store.subscription_by_callback("token-7"));
}

TEST_CASE("a callback token belongs to one source only", "[websub]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  REQUIRE(store.save_subscription(subscription(7, "token")).has_value());
  auto clash = store.save_subscription(subscription(8, "token"));
  REQUIRE_FALSE(clash.has_value());
  CHECK(clash.error().code == Errc::already_exists);
  CHECK(clash.error().message == "source 7 holds that callback already");
}

TEST_CASE("a subscription without a hub is refused", "[websub]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  Subscription s = subscription(7, "token");
  s.hub.clear();
  auto refused = store.save_subscription(s);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == Errc::invalid_argument);
  CHECK(refused.error().message == "subscription of source 7 needs a hub, a topic and a callback");
}

TEST_CASE("removing a subscription forgets it; removing none is no error", "[websub]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  REQUIRE(store.save_subscription(subscription(7, "token-7")).has_value());
  REQUIRE(store.save_subscription(subscription(3, "token-3")).has_value());
  REQUIRE(store.remove_subscription(7).has_value());
  REQUIRE(store.remove_subscription(99).has_value());
  auto all = store.list_subscriptions();
  REQUIRE(all.has_value());
  REQUIRE(all->size() == 1);
  CHECK(all->front().source_id == 3);
}

TEST_CASE("subscriptions survive closing and reopening the database", "[websub]") {
  TINHOP_EACH_BACKEND(backend);
  TempDir dir;
  const std::string location = backend == StorageBackend::sqlite
                                   ? (dir.path / "tinhop.db").string()
                                   : PostgresServer::instance()->fresh_database();
  {
    auto store = tinhop::storage::Store::open(location);
    REQUIRE(store.has_value());
    Subscription s = subscription(7, "token-7");
    s.state = SubscriptionState::active;
    s.lease_until = at(1710374400 + 3600);
    REQUIRE(store->save_subscription(s).has_value());
  }
  auto store = tinhop::storage::Store::open(location);
  REQUIRE(store.has_value());
  auto kept = store->subscription_by_callback("token-7");
  REQUIRE(kept.has_value());
  REQUIRE(*kept);
  CHECK((*kept)->state == SubscriptionState::active);
  CHECK((*kept)->lease_until == at(1710374400 + 3600));
}

TEST_CASE("a source's websub setting is stored and read back", "[websub]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  tinhop::storage::SourceSettings settings;
  settings.url = "https://news.example/feed";
  settings.websub = false;
  auto id = store.add_source(settings, kNow);
  REQUIRE(id.has_value());
  CHECK_FALSE(store.get_source(*id)->settings.websub);
  settings.websub = true;
  REQUIRE(store.update_source(*id, settings, kNow).has_value());
  CHECK(store.get_source(*id)->settings.websub);
}
