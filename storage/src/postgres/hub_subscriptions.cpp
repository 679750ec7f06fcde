// Readers' subscriptions to our feeds at our own WebSub hub: one row per topic and
// callback (issue #19, the hub side).
#include "postgres_store.hpp"

namespace tinhop::storage {

Result<void> PostgresStore::save_hub_subscription(const HubSubscription& subscription) {
  return guarded([&] {
    db.query(
        "INSERT INTO hub_subscriptions(topic, callback, secret, lease_until, created) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT(topic, callback) DO UPDATE SET secret = excluded.secret, "
        "lease_until = excluded.lease_until, created = excluded.created",
        pg::Params()
            .add(subscription.topic)
            .add(subscription.callback)
            .add(subscription.secret)
            .add(to_unix(subscription.lease_until))
            .add(to_unix(subscription.created)));
  });
}

Result<std::vector<HubSubscription>> PostgresStore::list_hub_subscriptions() {
  return guarded([&] {
    std::vector<HubSubscription> subscriptions;
    auto rows = db.query(
        "SELECT topic, callback, secret, lease_until, created FROM hub_subscriptions ORDER BY topic, "
        "callback");
    while (rows.next()) {
      subscriptions.push_back(
          {rows.text(0), rows.text(1), rows.text(2), from_unix(rows.int64(3)), from_unix(rows.int64(4))});
    }
    return subscriptions;
  });
}

Result<void> PostgresStore::remove_hub_subscription(std::string_view topic, std::string_view callback) {
  return guarded([&] {
    db.query("DELETE FROM hub_subscriptions WHERE topic = $1 AND callback = $2",
             pg::Params().add(topic).add(callback));
  });
}

}  // namespace tinhop::storage
