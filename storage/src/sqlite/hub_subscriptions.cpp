// Readers' subscriptions to our feeds at our own WebSub hub: one row per topic and
// callback (issue #19, the hub side).
#include "store_impl.hpp"

namespace tinhop::storage {

Result<void> SqliteStore::save_hub_subscription(const HubSubscription& subscription) {
  return guarded([&] {
    auto q = db.statement(
        "INSERT OR REPLACE INTO hub_subscriptions(topic, callback, secret, lease_until, created) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    q->bind(1, subscription.topic)
        .bind(2, subscription.callback)
        .bind(3, subscription.secret)
        .bind(4, to_unix(subscription.lease_until))
        .bind(5, to_unix(subscription.created))
        .run();
  });
}

Result<std::vector<HubSubscription>> SqliteStore::list_hub_subscriptions() {
  return guarded([&] {
    std::vector<HubSubscription> subscriptions;
    auto s = db.statement(
        "SELECT topic, callback, secret, lease_until, created FROM hub_subscriptions ORDER BY topic, "
        "callback");
    while (s->step()) {
      subscriptions.push_back(
          {s->text(0), s->text(1), s->text(2), from_unix(s->int64(3)), from_unix(s->int64(4))});
    }
    return subscriptions;
  });
}

Result<void> SqliteStore::remove_hub_subscription(std::string_view topic, std::string_view callback) {
  return guarded([&] {
    auto q = db.statement("DELETE FROM hub_subscriptions WHERE topic = ?1 AND callback = ?2");
    q->bind(1, topic).bind(2, callback).run();
  });
}

}  // namespace tinhop::storage
