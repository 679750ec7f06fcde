// When each source is polled next: pure decisions over a poll's result and "now".
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/parsers/model.hpp"

namespace tinhop::scheduler {

using Seconds = std::chrono::seconds;

// Defaults and bounds for every source (a source's own settings override some).
struct Policy {
  Seconds default_interval{std::chrono::minutes(30)};
  Seconds min_interval{std::chrono::minutes(5)};
  Seconds max_interval{std::chrono::hours(24)};
  double jitter = 0.1;          // the interval moves by up to ±10% so sources never fire in a herd
  double backoff_jitter = 0.5;  // a failure's wait grows by up to 50% so retries never bunch
  Seconds backoff_base{std::chrono::minutes(1)};  // first retry after a failure
  Seconds backoff_cap{std::chrono::hours(12)};    // longest wait after failures
  Seconds not_found_base{std::chrono::hours(1)};  // 404s back off harder than other errors
  Seconds not_found_cap{std::chrono::days(7)};
  Seconds retry_after_cap{std::chrono::days(7)};    // a Retry-After beyond this is distrusted
  int permanent_redirect_polls = 3;                 // consecutive 301/308 polls before the URL is updated
  int stale_factor = 30;                            // unchanged for this many usual gaps: stale
  Seconds stale_after_min{std::chrono::hours(24)};  // and never sooner than this after the last change
};

// A source's own settings; unset fields follow the policy.
struct SourceSettings {
  std::optional<Seconds> interval;  // an explicit interval wins over the adaptive one
  std::optional<Seconds> min_interval;
  std::optional<Seconds> max_interval;
};

// What the scheduler remembers about a source between polls (stored with its health).
struct SourceState {
  int consecutive_failures = 0;   // any failure, reset by the first success
  int consecutive_not_found = 0;  // 404s in a row
  std::string pending_redirect;   // the permanent redirect target seen on recent polls
  int pending_redirect_polls = 0;
  std::optional<Seconds> publication_gap;  // typical gap between items (adaptive interval)
  std::optional<Instant> last_change;      // the last poll that brought new or changed items
  bool stale = false;
};

// What a poll produced, as far as scheduling cares.
struct PollResult {
  Instant at{};                     // when the poll ended
  int status = 0;                   // final HTTP status; 0 when no response arrived
  bool transport_error = false;     // no usable response (DNS, timeout, TLS, size cap...)
  bool parse_error = false;         // a 200 whose body is not a feed
  bool changed = false;             // new or updated items were stored
  std::vector<Instant> item_dates;  // publication dates in the document
  // Freshness hints from the response and the document.
  std::optional<Seconds> max_age;        // Cache-Control max-age
  std::optional<Instant> expires;        // Expires
  std::optional<Seconds> retry_after;    // Retry-After, as a delay from `at`
  std::optional<Seconds> ttl;            // RSS <ttl>
  std::optional<Seconds> update_period;  // sy:updatePeriod / sy:updateFrequency
  std::vector<int> skip_hours;           // RSS skipHours (GMT)
  std::vector<std::string> skip_days;    // RSS skipDays ("Monday"...)
  // Set when every hop of the redirect chain was permanent (301/308): the final URL.
  std::optional<std::string> permanent_redirect;
};

// What the scheduler decided after one poll.
struct Decision {
  Instant next_poll{};
  SourceState state;
  Seconds interval{0};  // the wait chosen before jitter and skip rules
  std::string reason;   // what set it: "interval", "adaptive", "max-age", "retry-after", "backoff"...
  std::optional<std::string> new_url;  // a permanent redirect confirmed: poll this URL from now on
  bool disable = false;                // 410 Gone
  std::string disable_reason;
  // 429/503: slow the whole host down until then (one bad path must not block it longer).
  std::optional<Instant> host_pause_until;
};

// The decision after a poll. `jitter_seed` makes the jitter deterministic (e.g. source
// id mixed with the poll count), so the same inputs give the same answer.
Decision decide(const Policy& policy, const SourceSettings& settings, const SourceState& state,
                const PollResult& result, std::uint64_t jitter_seed);

// The latest a healthy source's next poll may be at under `policy`, asked at `now`: its
// longest interval, spread by the policy's jitter (always shortening) so that sources
// brought forward together do not fire together. A poll scheduled under an older, longer
// bound moves here; the caller keeps waits the server asked for and failures' backoff.
Instant latest_next_poll(const Policy& policy, const SourceSettings& settings, Instant now,
                         std::uint64_t jitter_seed);

// When a new source (never polled) should first be polled: spread over one interval.
Instant first_poll(const Policy& policy, const SourceSettings& settings, Instant now,
                   std::uint64_t jitter_seed);

// The typical gap between items from their publication dates (median of recent gaps), or
// nullopt with fewer than two distinct dates.
std::optional<Seconds> publication_gap(std::vector<Instant> dates, Instant now);

// Header values as the fetcher hands them over.
std::optional<Seconds> parse_max_age(std::string_view cache_control);  // also no-cache/no-store → 0
std::optional<Instant> parse_http_date(std::string_view text);         // IMF-fixdate, RFC 850, asctime
std::optional<Seconds> parse_retry_after(std::string_view text, Instant now);

// The first instant at or after `t` outside skipHours/skipDays (GMT, per the RSS spec).
Instant skip_forward(Instant t, const std::vector<int>& skip_hours,
                     const std::vector<std::string>& skip_days);

}  // namespace tinhop::scheduler
