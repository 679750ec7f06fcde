// Contract names of the store's enums, and the cursor's text form.
#include <charconv>
#include <cmath>
#include <stdexcept>

#include "common.hpp"

namespace tinhop::storage {

const char* errc_name(Errc code) {
  switch (code) {
    case Errc::not_found: return "not_found";
    case Errc::already_exists: return "already_exists";
    case Errc::invalid_argument: return "invalid_argument";
    case Errc::busy: return "busy";
    case Errc::too_new: return "too_new";
    case Errc::corrupt: return "corrupt";
    case Errc::full: return "full";
    case Errc::io: return "io";
    case Errc::internal: return "internal";
  }
  return "internal";
}

void throw_exception_from_error(const Error& error, const boost::source_location&) {
  throw std::runtime_error(std::string(errc_name(error.code)) + ": " + error.message);
}

const char* source_type_name(SourceType type) {
  return type == SourceType::html ? "html" : "feed";
}

const char* republication_name(Republication policy) {
  switch (policy) {
    case Republication::full: return "full";
    case Republication::summary: return "summary";
    case Republication::title: return "title";
  }
  return "full";
}

const char* origin_name(SourceOrigin origin) {
  switch (origin) {
    case SourceOrigin::config: return "config";
    case SourceOrigin::cli: return "cli";
    case SourceOrigin::api: return "api";
  }
  return "config";
}

const char* fetch_status_name(FetchStatus status) {
  switch (status) {
    case FetchStatus::ok: return "ok";
    case FetchStatus::not_modified: return "not_modified";
    case FetchStatus::failed: return "failed";
  }
  return "failed";
}

std::optional<SourceType> parse_source_type(std::string_view name) {
  if (name == "feed") return SourceType::feed;
  if (name == "html") return SourceType::html;
  return std::nullopt;
}

std::optional<Republication> parse_republication(std::string_view name) {
  if (name == "full") return Republication::full;
  if (name == "summary") return Republication::summary;
  if (name == "title") return Republication::title;
  return std::nullopt;
}

std::optional<SourceOrigin> parse_origin(std::string_view name) {
  if (name == "config") return SourceOrigin::config;
  if (name == "cli") return SourceOrigin::cli;
  if (name == "api") return SourceOrigin::api;
  return std::nullopt;
}

const char* subscription_state_name(SubscriptionState state) {
  switch (state) {
    case SubscriptionState::requested: return "requested";
    case SubscriptionState::active: return "active";
    case SubscriptionState::unsubscribing: return "unsubscribing";
    case SubscriptionState::denied: return "denied";
  }
  return "requested";
}

void validate_subscription(const Subscription& subscription) {
  if (subscription.hub.empty() || subscription.topic.empty() || subscription.callback.empty()) {
    throw sql::SqlFailure{Error{Errc::invalid_argument, "subscription of source " +
                                                            std::to_string(subscription.source_id) +
                                                            " needs a hub, a topic and a callback"}};
  }
}

sql::SqlFailure callback_taken(std::int64_t holder) {
  return {Error{Errc::already_exists, "source " + std::to_string(holder) + " holds that callback already"}};
}

IngestCounts& IngestCounts::operator+=(const IngestCounts& other) {
  added += other.added;
  updated += other.updated;
  unchanged += other.unchanged;
  suppressed += other.suppressed;
  clustered += other.clustered;
  return *this;
}

std::string format_cursor(const Cursor& cursor) {
  if (cursor.relevance) {
    char rank[32];
    const auto end = std::to_chars(rank, rank + sizeof rank, *cursor.relevance).ptr;
    return "r" + std::string(rank, end) + "-" + std::to_string(cursor.id);
  }
  return std::to_string(to_unix(cursor.published)) + "-" + std::to_string(cursor.id);
}

std::optional<Cursor> parse_cursor(std::string_view text) {
  const bool ranked = text.starts_with('r');
  if (ranked) text.remove_prefix(1);
  // The first part may be negative (dates before 1970, bm25 ranks), so split at the last '-'.
  const auto dash = text.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 >= text.size()) return std::nullopt;
  const auto* first = text.data();
  std::int64_t id = 0;
  auto [p2, e2] = std::from_chars(first + dash + 1, first + text.size(), id);
  if (e2 != std::errc{} || p2 != first + text.size() || id < 0) return std::nullopt;
  if (ranked) {
    double rank = 0;
    auto [p1, e1] = std::from_chars(first, first + dash, rank);
    if (e1 != std::errc{} || p1 != first + dash || !std::isfinite(rank)) return std::nullopt;
    return Cursor::ranked(rank, id);
  }
  std::int64_t seconds = 0;
  auto [p1, e1] = std::from_chars(first, first + dash, seconds);
  if (e1 != std::errc{} || p1 != first + dash) return std::nullopt;
  return Cursor{from_unix(seconds), id};
}

}  // namespace tinhop::storage
