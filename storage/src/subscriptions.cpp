// Our WebSub subscriptions to publishers' hubs: one row per source (issue #19).
#include <string>

#include "store_impl.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::storage {

namespace {

constexpr const char* kSubscriptionColumns =
    "SELECT source_id, hub, topic, callback, secret, state, lease_until, changed FROM websub_subscriptions ";

SubscriptionState parse_state(std::string_view name) {
  if (name == "active") return SubscriptionState::active;
  if (name == "unsubscribing") return SubscriptionState::unsubscribing;
  if (name == "denied") return SubscriptionState::denied;
  return SubscriptionState::requested;
}

Subscription read_subscription(const sql::Statement& row) {
  Subscription subscription;
  subscription.source_id = row.int64(0);
  subscription.hub = row.text(1);
  subscription.topic = row.text(2);
  subscription.callback = row.text(3);
  subscription.secret = row.text(4);
  subscription.state = parse_state(row.text(5));
  subscription.lease_until = from_unix(row.optional_int64(6));
  subscription.changed = from_unix(row.int64(7));
  return subscription;
}

}  // namespace

const char* subscription_state_name(SubscriptionState state) {
  switch (state) {
    case SubscriptionState::requested: return "requested";
    case SubscriptionState::active: return "active";
    case SubscriptionState::unsubscribing: return "unsubscribing";
    case SubscriptionState::denied: return "denied";
  }
  return "requested";
}

Result<void> Store::save_subscription(const Subscription& subscription) {
  return guarded([&] {
    if (subscription.hub.empty() || subscription.topic.empty() || subscription.callback.empty()) {
      throw sql::SqlFailure{Error{Errc::invalid_argument, "subscription of source " +
                                                              std::to_string(subscription.source_id) +
                                                              " needs a hub, a topic and a callback"}};
    }
    sql::Transaction tx(impl_->db);
    auto& db = impl_->db;
    {
      auto clash =
          db.statement("SELECT source_id FROM websub_subscriptions WHERE callback = ?1 AND source_id <> ?2");
      clash->bind(1, subscription.callback).bind(2, subscription.source_id);
      if (clash->step()) {
        throw sql::SqlFailure{Error{Errc::already_exists, "source " + std::to_string(clash->int64(0)) +
                                                              " holds that callback already"}};
      }
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

Result<std::optional<Subscription>> Store::subscription_of_source(std::int64_t source_id) {
  return guarded([&]() -> std::optional<Subscription> {
    static const std::string sql = std::string(kSubscriptionColumns) + "WHERE source_id = ?1";
    auto s = impl_->db.statement(sql.c_str());
    s->bind(1, source_id);
    if (!s->step()) return std::nullopt;
    return read_subscription(*s);
  });
}

Result<std::optional<Subscription>> Store::subscription_by_callback(std::string_view callback) {
  return guarded([&]() -> std::optional<Subscription> {
    static const std::string sql = std::string(kSubscriptionColumns) + "WHERE callback = ?1";
    auto s = impl_->db.statement(sql.c_str());
    s->bind(1, callback);
    if (!s->step()) return std::nullopt;
    return read_subscription(*s);
  });
}

Result<std::vector<Subscription>> Store::list_subscriptions() {
  return guarded([&] {
    static const std::string sql = std::string(kSubscriptionColumns) + "ORDER BY source_id";
    std::vector<Subscription> subscriptions;
    auto s = impl_->db.statement(sql.c_str());
    while (s->step()) subscriptions.push_back(read_subscription(*s));
    return subscriptions;
  });
}

Result<void> Store::remove_subscription(std::int64_t source_id) {
  return guarded([&] {
    auto q = impl_->db.statement("DELETE FROM websub_subscriptions WHERE source_id = ?1");
    q->bind(1, source_id).run();
  });
}

}  // namespace tinhop::storage
