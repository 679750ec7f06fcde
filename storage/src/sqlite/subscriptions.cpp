// Our WebSub subscriptions to publishers' hubs: one row per source (issue #19).
#include <string>

#include "rows.hpp"

#include "store_impl.hpp"

namespace tinhop::storage {

namespace {

constexpr const char* kSubscriptionColumns =
    "SELECT source_id, hub, topic, callback, secret, state, lease_until, changed FROM websub_subscriptions ";

}  // namespace

Result<void> SqliteStore::save_subscription(const Subscription& subscription) {
  return guarded([&] {
    validate_subscription(subscription);
    sql::Transaction tx(db);
    {
      auto clash =
          db.statement("SELECT source_id FROM websub_subscriptions WHERE callback = ?1 AND source_id <> ?2");
      clash->bind(1, subscription.callback).bind(2, subscription.source_id);
      if (clash->step()) throw callback_taken(clash->int64(0));
    }
    std::optional<std::int64_t> lease_until;
    if (subscription.lease_until) lease_until = to_unix(*subscription.lease_until);
    auto q = db.statement(
        "INSERT OR REPLACE INTO websub_subscriptions(source_id, hub, topic, callback, secret, state, "
        "lease_until, changed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    q->bind(1, subscription.source_id)
        .bind(2, subscription.hub)
        .bind(3, subscription.topic)
        .bind(4, subscription.callback)
        .bind(5, subscription.secret)
        .bind(6, subscription_state_name(subscription.state))
        .bind(7, lease_until)
        .bind(8, to_unix(subscription.changed))
        .run();
    tx.commit();
  });
}

Result<std::optional<Subscription>> SqliteStore::subscription_of_source(std::int64_t source_id) {
  return guarded([&]() -> std::optional<Subscription> {
    static const std::string sql = std::string(kSubscriptionColumns) + "WHERE source_id = ?1";
    auto s = db.statement(sql.c_str());
    s->bind(1, source_id);
    if (!s->step()) return std::nullopt;
    return rows::read_subscription(*s);
  });
}

Result<std::optional<Subscription>> SqliteStore::subscription_by_callback(std::string_view callback) {
  return guarded([&]() -> std::optional<Subscription> {
    static const std::string sql = std::string(kSubscriptionColumns) + "WHERE callback = ?1";
    auto s = db.statement(sql.c_str());
    s->bind(1, callback);
    if (!s->step()) return std::nullopt;
    return rows::read_subscription(*s);
  });
}

Result<std::vector<Subscription>> SqliteStore::list_subscriptions() {
  return guarded([&] {
    static const std::string sql = std::string(kSubscriptionColumns) + "ORDER BY source_id";
    std::vector<Subscription> subscriptions;
    auto s = db.statement(sql.c_str());
    while (s->step()) subscriptions.push_back(rows::read_subscription(*s));
    return subscriptions;
  });
}

Result<void> SqliteStore::remove_subscription(std::int64_t source_id) {
  return guarded([&] {
    auto q = db.statement("DELETE FROM websub_subscriptions WHERE source_id = ?1");
    q->bind(1, source_id).run();
  });
}

}  // namespace tinhop::storage
