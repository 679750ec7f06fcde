// What both backends share: time and name conversions, the JSON codecs of stored
// columns, and the failure that travels inside storage/ until the public boundary.
#pragma once

#include <chrono>
#include <cstdint>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "tinhop/storage/store.hpp"

namespace tinhop::storage {

namespace sql {
// Failures inside storage/ travel as this exception and are turned into Result values at
// the backend's public boundary (`guarded`), so every query site stays one line while
// callers still only ever see values.
struct SqlFailure {
  Error error;
};
}  // namespace sql

// The items columns both backends' read_item reads, in its order; each backend appends its
// own WHERE with its own placeholders.
#define TINHOP_ITEM_COLUMNS                                                                              \
  "SELECT id, source_id, guid, link, title, summary, content, published, updated, first_seen, changed, " \
  "date_approximate, extra, cluster_id FROM items "

// A story that may be a top story, as a backend reads it; rank_top scores it.
struct TopCandidate {
  std::int64_t cluster_id = 0;
  Instant published{};  // its first publication
  std::int64_t publishers = 0;
  double score = 0;
};
// The candidates with enough publishers, best first (Store::top_stories), at most query.limit.
std::vector<TopCandidate> rank_top(std::vector<TopCandidate> candidates, const TopQuery& query);

// Throws invalid_argument unless `articles` is empty or has one state per entry of the feed
// (PollResult::articles).
void check_articles(const Feed& feed, std::span<const ArticleFetch> articles);

// Throws invalid_argument when a view's filter comes with what it cannot: a source or
// category of its own, a search by relevance.
void check_filter(const ClusterQuery& query);

// Throws not_found for a source id that no source has.
[[noreturn]] void throw_no_source(std::int64_t id);

// Throws full when `stored` rules leave no room under `most` (Store::add_rule).
void require_room_for_rule(std::size_t stored, std::size_t most);

// A JSON array of the values (the SQL of both backends reads lists from one), nullopt when empty.
std::optional<std::string> json_list(const std::vector<std::string>& values);

// items.language: the item's own language, else its feed's, lowercased, '_' as '-'.
std::optional<std::string> item_language(const Item& item, const Feed& feed);

inline std::int64_t to_unix(Instant instant) {
  return instant.time_since_epoch().count();
}
inline Instant from_unix(std::int64_t seconds) {
  return Instant{std::chrono::seconds{seconds}};
}
inline std::optional<Instant> from_unix(const std::optional<std::int64_t>& seconds) {
  if (!seconds) return std::nullopt;
  return from_unix(*seconds);
}

// The seconds [first, end) of the `days` UTC days ending with the day of `now`.
struct DayWindow {
  std::int64_t first = 0;
  std::int64_t end = 0;
};
inline DayWindow day_window(Instant now, int days) {
  constexpr std::int64_t kDay = 86400;
  const std::int64_t end = (to_unix(now) / kDay + 1) * kDay;
  return {end - std::int64_t{days} * kDay, end};
}

// A date order as stored: sources.date_order and health.date_order_seen.
inline const char* date_order_name(DateOrder order) {
  switch (order) {
    case DateOrder::automatic: return "automatic";
    case DateOrder::dmy: return "dmy";
    case DateOrder::mdy: return "mdy";
  }
  return "automatic";
}
inline DateOrder parse_date_order(std::string_view name) {
  if (name == "dmy") return DateOrder::dmy;
  if (name == "mdy") return DateOrder::mdy;
  return DateOrder::automatic;
}

inline FetchStatus parse_fetch_status(std::string_view name) {
  if (name == "ok") return FetchStatus::ok;
  if (name == "not_modified") return FetchStatus::not_modified;
  return FetchStatus::failed;
}

inline SubscriptionState parse_subscription_state(std::string_view name) {
  if (name == "active") return SubscriptionState::active;
  if (name == "unsubscribing") return SubscriptionState::unsubscribing;
  if (name == "denied") return SubscriptionState::denied;
  return SubscriptionState::requested;
}

// Throws Errc::invalid_argument unless the subscription names a hub, a topic and a callback.
void validate_subscription(const Subscription& subscription);
// The failure of saving a subscription whose callback token `holder` already holds.
sql::SqlFailure callback_taken(std::int64_t holder);

// Fetch history rows kept per source.
inline constexpr std::int64_t kHistoryPerSource = 100;

// Alert events kept for the alerts feed (Store::record_alert).
inline constexpr std::int64_t kAlertHistory = 1000;

// Runs `body`, turning storage failures into an Error value: the public boundary.
template <class F>
auto guarded(F&& body) -> Result<std::invoke_result_t<F>> {
  try {
    if constexpr (std::is_void_v<std::invoke_result_t<F>>) {
      body();
      return {};
    } else {
      return body();
    }
  } catch (const sql::SqlFailure& failure) {
    return failure.error;
  } catch (const std::bad_alloc&) {
    return Error{Errc::internal, "out of memory"};
  }
}

// The item's authors, categories, enclosures, thumbnail, comments page and language (its
// own, else the feed's) as the items table's JSON column.
std::string encode_extra(const Item& item, const std::optional<std::string>& feed_language);
void decode_extra(std::string_view json, StoredItem& item);
std::string encode_headers(const std::vector<Header>& headers);
std::vector<Header> decode_headers(std::string_view json);

}  // namespace tinhop::storage
