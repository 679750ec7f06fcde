// Source alerts in the daemon (docs/operations.md, "Source alerts"): after each committed
// batch for the sources it polled whose condition may have changed (check_polled), and
// every alerts.check_interval for all of them, each source's condition is assessed from
// the store (alerts::assess) and each change worth telling is stored (Store::record_alert)
// and handed back for the log, /metrics and the webhooks. The store's queries are cheap: a
// source's arrivals are read only once it has been quiet for longer than alerts.min_quiet.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "tinhop/alerts/alerts.hpp"
#include "tinhop/config/config.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::daemon {

struct AlertWatchOptions {
  alerts::AlertPolicy policy;
  std::chrono::seconds history{std::chrono::hours(24 * 30)};  // the arrivals a rhythm is learned from
};

AlertWatchOptions alert_watch_options_from(const config::AlertsConfig& config);

// One change of a source's condition, as stored, with the source it is about.
struct ToldAlert {
  storage::AlertEvent event;
  std::string source_url;
  std::string source_title;  // the configured title, else the feed's own; may be empty
};

// A committed poll, as the check after its batch reads it.
struct PolledSource {
  std::int64_t id = 0;
  bool failed = false;       // the poll failed: the source's failure count changed
  bool added_items = false;  // it stored new items: the source's newest item changed
};

// The webhooks' JSON body: {"id", "kind", "at", "detail", "source": {"id", "url", "title"}}.
std::string alert_json(const ToldAlert& told);

// Sources by condition now, and changes told since start (for /metrics).
struct AlertTally {
  std::map<std::string, std::uint64_t> sources;      // "failing", "stale"
  std::map<std::string, std::uint64_t> transitions;  // "failing", "stale", "recovered"
};

class AlertWatch {
 public:
  explicit AlertWatch(AlertWatchOptions options) : options_(options) {}

  // Assesses the sources `ids` (every enabled source when nullopt) at `now`; each change
  // of condition is stored in `store` and returned. Call from one thread.
  storage::Result<std::vector<ToldAlert>> check(storage::Store& store,
                                                const std::optional<std::vector<std::int64_t>>& ids,
                                                Instant now);

  // check() for the sources of a committed batch, looking up only those whose condition may
  // have changed: the poll failed or brought new items, the source was failing, or its
  // quiet may have grown past its limit since its last check. The others are skipped (two
  // store reads each). Anything else that changes a source (a CLI poll, a rhythm learned
  // from arrivals leaving the history window) is seen by the periodic check of all.
  storage::Result<std::vector<ToldAlert>> check_polled(storage::Store& store,
                                                       const std::vector<PolledSource>& polls, Instant now);

  // From any thread.
  AlertTally tally() const;

 private:
  storage::Result<void> load(storage::Store& store);
  // The change of one source's condition, stored; nullopt when nothing is worth telling.
  storage::Result<std::optional<ToldAlert>> assess(storage::Store& store, const storage::Source& source,
                                                   const storage::Health& health, Instant now);

  const AlertWatchOptions options_;
  bool loaded_ = false;
  std::unordered_map<std::int64_t, alerts::Condition> conditions_;  // other than healthy
  // Sources without a failed poll at their last check, with the time before which quiet
  // alone cannot change their condition (the end of time when they are stale already).
  std::unordered_map<std::int64_t, Instant> settled_until_;
  mutable std::mutex tally_mutex_;
  AlertTally tally_;
};

}  // namespace tinhop::daemon
