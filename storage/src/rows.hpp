// Rows both backends select with the same columns in the same order, decoded once: a
// `Columns` is a row of either backend (sql::Statement, pg::Rows), which read a column alike.
#pragma once

#include <chrono>
#include <optional>

#include "read_pages.hpp"

namespace tinhop::storage::rows {

// The members' columns, in the order both backends' member queries select them.
template <class Columns>
void read_member(const Columns& q, read_pages::Members& members) {
  read_pages::Member m;
  auto& p = m.publisher;
  p.item_id = q.int64(0);
  p.source_id = q.int64(1);
  p.item_link = q.optional_text(2);
  p.published = from_unix(q.int64(3));
  const auto title = q.text(4);
  const auto feed_title = q.optional_text(5);
  p.source_url = q.text(6);
  p.site_link = q.optional_text(7);
  p.source_title = !title.empty() ? title : feed_title.value_or("");
  m.republication = parse_republication(q.text(8)).value_or(Republication::full);
  members.public_id = q.int64(9);
  members.list.push_back(std::move(m));
}

// TINHOP_ITEM_COLUMNS read into an item.
template <class Columns>
StoredItem read_item(const Columns& q) {
  StoredItem item;
  item.id = q.int64(0);
  item.source_id = q.int64(1);
  item.guid = q.optional_text(2);
  item.link = q.optional_text(3);
  item.title = q.optional_text(4);
  item.summary = q.optional_text(5);
  item.content = q.optional_text(6);
  item.published = from_unix(q.int64(7));
  item.updated = from_unix(q.optional_int64(8));
  item.first_seen = from_unix(q.int64(9));
  item.changed = from_unix(q.optional_int64(10));
  item.date_approximate = q.boolean(11);
  decode_extra(q.text(12), item);
  item.cluster_id = q.int64(13);
  return item;
}

inline std::optional<std::int64_t> seconds_of(const std::optional<std::chrono::seconds>& value) {
  if (!value) return std::nullopt;
  return value->count();
}
inline std::optional<std::chrono::seconds> to_seconds(const std::optional<std::int64_t>& value) {
  if (!value) return std::nullopt;
  return std::chrono::seconds{*value};
}

// A source's columns 0 to 29 as both backends' source queries select them (the categories
// each backend reads its own way).
template <class Columns>
Source read_source(const Columns& row) {
  Source source;
  source.id = row.int64(0);
  auto& s = source.settings;
  s.url = row.text(1);
  s.title = row.text(2);
  s.type = parse_source_type(row.text(3)).value_or(SourceType::feed);
  s.interval = to_seconds(row.optional_int64(4));
  s.min_interval = to_seconds(row.optional_int64(5));
  s.max_interval = to_seconds(row.optional_int64(6));
  s.time_zone = row.optional_text(7);
  s.date_order = parse_date_order(row.text(8));
  s.republication = parse_republication(row.text(9)).value_or(Republication::full);
  s.enabled = row.boolean(10);
  source.disabled_reason = row.text(11);
  s.headers = decode_headers(row.text(12));
  s.origin = parse_origin(row.text(13)).value_or(SourceOrigin::config);
  s.html_selectors = row.text(14);
  source.feed_title = row.optional_text(15);
  source.site_link = row.optional_text(16);
  auto& f = source.fetch;
  f.etag = row.optional_text(17);
  f.last_modified = row.optional_text(18);
  f.body_hash = row.optional_text(19);
  f.redirect_target = row.optional_text(20);
  f.redirect_streak = static_cast<int>(row.int64(21));
  f.moved_from = row.optional_text(22);
  f.moved_at = from_unix(row.optional_int64(23));
  f.adaptive_interval = to_seconds(row.optional_int64(24));
  source.created = from_unix(row.int64(25));
  source.modified = from_unix(row.int64(26));
  f.last_item_at = from_unix(row.optional_int64(27));
  s.follow_links = row.boolean(28);
  s.websub = row.boolean(29);
  return source;
}

// "SELECT source_id, hub, topic, callback, secret, state, lease_until, changed" of
// websub_subscriptions.
template <class Columns>
Subscription read_subscription(const Columns& row) {
  Subscription subscription;
  subscription.source_id = row.int64(0);
  subscription.hub = row.text(1);
  subscription.topic = row.text(2);
  subscription.callback = row.text(3);
  subscription.secret = row.text(4);
  subscription.state = parse_subscription_state(row.text(5));
  subscription.lease_until = from_unix(row.optional_int64(6));
  subscription.changed = from_unix(row.int64(7));
  return subscription;
}

// The health columns both backends select (source_id, last_attempt, ... dates_not_understood).
template <class Columns>
Health read_health(const Columns& q) {
  Health h;
  h.source_id = q.int64(0);
  h.last_attempt = from_unix(q.optional_int64(1));
  h.last_success = from_unix(q.optional_int64(2));
  if (auto status = q.optional_text(3)) h.status = parse_fetch_status(*status);
  h.http_status = static_cast<int>(q.int64(4));
  h.error_class = q.text(5);
  h.error_text = q.text(6);
  h.next_poll = from_unix(q.optional_int64(7));
  h.items_added = q.int64(8);
  h.consecutive_failures = q.int64(9);
  h.polls = q.int64(10);
  h.not_modified = q.int64(11);
  h.bytes = q.int64(12);
  h.last_latency = std::chrono::milliseconds{q.int64(13)};
  h.stale = q.boolean(14);
  h.last_new_item = from_unix(q.optional_int64(15));
  if (const auto seen = q.optional_text(16)) h.date_order_seen = parse_date_order(*seen);
  h.dates_not_understood = q.int64(17);
  return h;
}

}  // namespace tinhop::storage::rows
