// The polling engine: keeps every source on its schedule, fetches politely (per-host and
// global limits), hands bodies to a processing hook (which parses off the event loop)
// and reports each finished poll with its health and next poll time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "tinhop/fetch/client.hpp"
#include "tinhop/parsers/html_listing.hpp"
#include "tinhop/parsers/model.hpp"
#include "tinhop/parsers/websub.hpp"
#include "tinhop/scheduler/host_gate.hpp"
#include "tinhop/scheduler/schedule.hpp"

namespace tinhop::fetch {

// One source as the poller knows it.
struct PollSource {
  std::int64_t id = 0;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
  scheduler::SourceSettings settings;
  scheduler::SourceState state;
  // Conditional GET and change detection, from the previous poll.
  std::string etag;
  std::string last_modified;
  std::string body_hash;
  std::optional<Instant> next_poll;  // unset: poll as soon as limits allow
  // Passed through to the processing hook: how the parser reads zone-less dates.
  std::string time_zone = "UTC";
  DateOrder date_order = DateOrder::automatic;
  // The order the source's own documents showed when this was loaded (Health::
  // date_order_seen); the pipeline knows what later polls showed.
  DateOrder date_order_seen = DateOrder::automatic;
  // A listing page scraped with these, not a feed. Shared: seven strings held inline were
  // 232 bytes of every source, most of which are feeds.
  std::shared_ptr<const HtmlSelectors> html;
  bool follow_links = false;  // processing fetches new items' pages (fetch_linked)
  // The source's categories, passed through to processing: editorial rules may apply to
  // the sources of a category.
  std::vector<std::string> categories;
  // Whether the source's own origin may be at an internal address (Request::
  // trusted_origin_url): the configuration file's sources, written by the operator.
  bool trust_own_origin = true;
};

// What processing did with the page an entry links to, for sources that follow links.
enum class LinkedFetch : std::uint8_t {
  not_tried,  // not fetched on this poll (tried before, or over the poll's limit)
  fetched,    // fetched and extracted: the entry's content holds it
  failed,     // fetched without a usable body
};

// What processing a fetched body produced (the pipeline parses it on a worker).
struct Processed {
  bool parse_error = false;
  std::string error_class;  // e.g. "not_a_feed"
  std::string error_text;
  std::optional<ParseResult> document;  // set when parsed
  std::vector<LinkedFetch> linked;      // one per entry of document when links were followed
  std::optional<WebSubTopic> websub;    // the hub and topic the response names (discovery)
  // Entries whose article is still to fetch after this poll (over the poll's limit or its
  // deadline): the next poll must read the page again even if it did not change, so its
  // validators and body hash are not kept.
  bool articles_left = false;
};

// How a poll ended.
enum class PollOutcome {
  ok,            // a body was parsed
  not_modified,  // 304
  unchanged,     // 200 with the same body as last time: parse skipped
  failed,        // transport error, HTTP error status or unparsable body
};
const char* outcome_name(PollOutcome outcome);

// One finished poll: everything health needs, and the parsed document if any.
struct PollReport {
  std::int64_t source_id = 0;
  std::string url;  // the URL polled
  Instant attempted{};
  PollOutcome outcome = PollOutcome::failed;
  int http_status = 0;
  std::string error_class;  // fetch error name, "http_NNN" or the parse error; empty on success
  std::string error_text;
  std::size_t bytes = 0;       // received on the wire, all hops (the health record's figure)
  std::size_t body_bytes = 0;  // the body as parsed, after gzip/deflate (what memory holds)
  Millis latency{0};
  bool changed = false;  // the set of items differs from the previous poll's
  scheduler::Decision decision;
  // Conditional-GET state to keep (unchanged values are repeated).
  std::string etag;
  std::string last_modified;
  std::string body_hash;
  std::optional<std::string> permanent_redirect;  // every hop was 301/308: the final URL
  std::optional<ParseResult> document;
  std::vector<LinkedFetch> linked;    // as in Processed
  std::optional<WebSubTopic> websub;  // as in Processed
  bool pushed = false;                // the body came from a WebSub hub, not a fetch
};

struct PollerOptions {
  scheduler::Policy policy;
  scheduler::GateLimits gate;
  Limits limits;  // per fetch
  // Fetches that start whatever those in flight hold (see PollerHooks::accepting); still
  // under the gate's per-host and global limits.
  std::size_t min_concurrency = 8;
};

// The polls being fetched now, as downstream counts them before another starts.
struct Fetching {
  std::size_t polls = 0;  // started and not yet answered
  std::size_t bytes = 0;  // body bytes they have received so far
};

struct PollerHooks {
  // Parses a 200 body away from the event loop; `done` may be called from any thread.
  std::function<void(const PollSource&, Response, std::function<void(Processed)> done)> process;
  // Every finished poll, on the event loop, in completion order.
  std::function<void(PollReport)> report;
  // False while downstream is full: no fetch starts until resume() is called. The fetches
  // running reach downstream soon, so it counts them against its limits; while fewer than
  // min_concurrency run, they are passed as none, so that a few slow or stalled fetches
  // never hold the others back and only downstream's own backlog can.
  std::function<bool(const Fetching& fetching)> accepting;
  // Several daemons sharing the sources: asked, once the local limits let a due source
  // start, whether this node may fetch it now (a lease the others respect). `asked`: the
  // poll was asked for now (poll_now, a hub's push that was no feed, pushes that stopped),
  // not scheduled. The hook answers through `answer`, exactly once, from any thread (the
  // database work belongs off the event loop): nullopt, it may; otherwise when to ask
  // again, the source's schedule untouched. The source holds its host's place meanwhile
  // and is not asked about again until the answer; a grant that comes after the source
  // was removed, replaced or scheduling stopped starts nothing. Unset (one daemon): every
  // due source is fetched.
  using ClaimAnswer = std::function<void(std::optional<std::chrono::system_clock::time_point> retry_at)>;
  std::function<void(const PollSource& source, const std::string& host, bool asked, ClaimAnswer answer)>
      claim;
};

// Stable hex digest of a body (SHA-256, first 128 bits).
std::string body_digest(std::string_view body);

class Poller {
 public:
  Poller(boost::asio::any_io_executor executor, Client& client, PollerOptions options, PollerHooks hooks);
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // Adds or replaces a source (keeping nothing of a replaced one's in-flight poll).
  void upsert(PollSource source);
  void remove(std::int64_t id);
  // Polls a source as soon as limits allow; one being polled is polled again when that
  // poll ends.
  void poll_now(std::int64_t id);
  // A body a WebSub hub pushed for the source (a fat ping): processed and reported like a
  // fetched one (PollReport::pushed, validators and schedule kept), so its entries take
  // the poll's path to storage; a body that does not parse makes the source poll now.
  void pushed(std::int64_t id, Response body);
  // While set, the source is polled at this interval whatever its settings say: a hub
  // pushes its changes, polling is only the safety net. Kept across upsert(). Cleared, the
  // source is polled now (the pushes stopped) and at its own interval from then on.
  void set_push_interval(std::int64_t id, std::optional<std::chrono::seconds> interval);
  // New policy, politeness limits and fetch limits (a configuration reload). The policy
  // applies from each source's next decision, and a healthy source scheduled later than
  // the new max_interval from now is brought forward to it (failures keep their backoff,
  // a server's Retry-After stands). upsert applies the same bound to a stored next poll.
  void set_options(PollerOptions options);
  // Starts scheduling.
  void start();
  // First phase of shutdown: no new fetch starts; in-flight ones finish and report.
  void stop_scheduling();
  // Call after accepting() turned true again.
  void resume();
  // The last poll's results were not stored: fetch in full next time (no validators).
  void forget_validators(std::int64_t id);
  // Fetches a page that a poll being processed links to (an article), under the same
  // per-host and global limits as polls and ahead of polls waiting to start, also while
  // scheduling is stopped. `done` runs on the executor exactly once (cancelled when the
  // client shuts down).
  void fetch_linked(Request request, Callback done);

  const PollSource* find(std::int64_t id) const;
  std::size_t size() const;
  std::size_t in_flight() const;  // fetching or processing

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace tinhop::fetch
