// Our WebSub subscriptions to publishers' hubs: one row per source (issue #19).
#include <string>

#include "rows.hpp"

#include "postgres_store.hpp"

namespace tinhop::storage {

namespace {

#define TINHOP_SUBSCRIPTION_COLUMNS \
  "SELECT source_id, hub, topic, callback, secret, state, lease_until, changed FROM websub_subscriptions "

constexpr const char* kBySource = TINHOP_SUBSCRIPTION_COLUMNS "WHERE source_id = $1";
constexpr const char* kByCallback = TINHOP_SUBSCRIPTION_COLUMNS "WHERE callback = $1";
constexpr const char* kAll = TINHOP_SUBSCRIPTION_COLUMNS "ORDER BY source_id";
#undef TINHOP_SUBSCRIPTION_COLUMNS

}  // namespace

Result<void> PostgresStore::save_subscription(const Subscription& subscription) {
  return guarded([&] {
    validate_subscription(subscription);
    pg::Transaction tx(db);
    if (const auto holder =
            db.scalar("SELECT source_id FROM websub_subscriptions WHERE callback = $1 AND source_id <> $2",
                      pg::Params().add(subscription.callback).add(subscription.source_id))) {
      throw callback_taken(*holder);
    }
    std::optional<std::int64_t> lease_until;
    if (subscription.lease_until) lease_until = to_unix(*subscription.lease_until);
    db.query(
        "INSERT INTO websub_subscriptions(source_id, hub, topic, callback, secret, state, lease_until, "
        "changed) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT(source_id) DO UPDATE SET hub = excluded.hub, "
        "topic = excluded.topic, callback = excluded.callback, secret = excluded.secret, "
        "state = excluded.state, lease_until = excluded.lease_until, changed = excluded.changed",
        pg::Params()
            .add(subscription.source_id)
            .add(subscription.hub)
            .add(subscription.topic)
            .add(subscription.callback)
            .add(subscription.secret)
            .add(subscription_state_name(subscription.state))
            .add(lease_until)
            .add(to_unix(subscription.changed)));
    tx.commit();
  });
}

Result<std::optional<Subscription>> PostgresStore::subscription_of_source(std::int64_t source_id) {
  return guarded([&]() -> std::optional<Subscription> {
    auto rows = db.query(kBySource, pg::Params().add(source_id));
    if (!rows.next()) return std::nullopt;
    return rows::read_subscription(rows);
  });
}

Result<std::optional<Subscription>> PostgresStore::subscription_by_callback(std::string_view callback) {
  return guarded([&]() -> std::optional<Subscription> {
    auto rows = db.query(kByCallback, pg::Params().add(callback));
    if (!rows.next()) return std::nullopt;
    return rows::read_subscription(rows);
  });
}

Result<std::vector<Subscription>> PostgresStore::list_subscriptions() {
  return guarded([&] {
    std::vector<Subscription> subscriptions;
    auto rows = db.query(kAll);
    while (rows.next()) subscriptions.push_back(rows::read_subscription(rows));
    return subscriptions;
  });
}

Result<void> PostgresStore::remove_subscription(std::int64_t source_id) {
  return guarded([&] {
    db.query("DELETE FROM websub_subscriptions WHERE source_id = $1", pg::Params().add(source_id));
  });
}

}  // namespace tinhop::storage
