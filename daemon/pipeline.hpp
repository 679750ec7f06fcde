// The daemon's data path after the fetcher, in the order data flows:
//   fetched bytes -> parse + normalize (worker pool; the event loop never parses)
//   -> dedup + storage (one writer thread, polls committed in batches).
// Back-pressure: while too many polls or bytes wait, accepting() is false and the poller
// starts no new fetch, so memory stays bounded when the writer is slower than the network.
// Fetches in flight are counted too, at the body bytes they have received so far, since
// once started their bodies must be taken: with 64 fetches at once they carried the
// documents alive well past the byte limit. They are charged what they hold, not a guess
// of what they will bring (a moving average let one 16 MB feed make every fetch count as
// 2 MB, and one stalled fetch then held all others back); the poller passes the first
// fetches as none at all (PollerOptions::min_concurrency). A fetch is charged its body,
// not the document it becomes (charged when its parse starts), so the writer still finds
// the next batch parsed when it finishes one.
// A poll is admitted while under both limits and charged its estimated document from the
// start; a poll whose parse ended is uncounted only until write() takes it (counting it
// through that hop would leak a charge for every orphaned poll). So a limit is passed by
// one poll plus those between their parse and write(): parse_threads when write() is
// called at once, as the tests do.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tinhop/fetch/poller.hpp"
#include "tinhop/rules/rules.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::daemon {

struct PipelineOptions {
  std::size_t parse_threads = 1;
  std::size_t max_pending = 256;  // polls being parsed or waiting for the writer
  // Their documents (estimated at 3x the body) and the bodies of fetches in flight. At
  // 10,000 sources tinhop serve peaks at ~60.5 MB with 2 MiB, 65 MB with 4 (with the writer
  // committing at once while the poller is held, 2 MiB polls as fast: docs/performance.md).
  std::size_t max_pending_bytes = 2u << 20;
  std::size_t batch_size = 128;                // polls per transaction
  std::chrono::milliseconds batch_window{50};  // how long the writer gathers a batch
};

// One poll after its commit: what the log line and the publisher need.
struct Committed {
  fetch::PollReport report;  // without its document
  std::int64_t items_added = 0;
  std::int64_t items_updated = 0;
  // Of the document parsed on this poll, if any.
  std::size_t dates_not_understood = 0;
  DateOrderDecision date_order;
};

struct PipelineHooks {
  // After each committed batch, on the writer thread.
  std::function<void(const std::vector<Committed>&)> committed;
  // A batch could not be stored: its sources must be fetched in full again (their
  // validators and body hashes were not saved). On the writer thread.
  std::function<void(const std::vector<std::int64_t>& source_ids, const std::string& error)> failed;
  // The backlog fell below half its limits after accepting() had been false.
  std::function<void()> drained;
};

class Pipeline {
 public:
  Pipeline(storage::Store& writer, PipelineOptions options, PipelineHooks hooks);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // The poller's process hook: parses on the pool, then calls `done` from a pool thread.
  void process(const fetch::PollSource& source, fetch::Response response,
               std::function<void(fetch::Processed)> done);
  // The poller's report hook: queues the finished poll for the writer.
  void write(fetch::PollReport report);
  // The editorial rules every document parsed from now on goes through, after its parse
  // and before the writer (docs/rules.md); an empty set applies none.
  void set_rules(std::shared_ptr<const rules::RuleSet> rules);
  // Runs `job` on the writer thread between two batches: work that writes the database
  // (retention) goes through the single writer too. Jobs still queued at finish() are
  // dropped: they are periodic and run again after a restart.
  void maintain(std::function<void(storage::Store&)> job);
  // False while the backlog, with the polls still being fetched and the bytes they hold,
  // is over its limits.
  bool accepting(const fetch::Fetching& fetching = {}) const;
  // Second phase of shutdown: waits for parses in progress and commits every queued poll,
  // then stops the threads. Nothing accepted by write() is dropped.
  void finish();

  std::size_t pending() const { return pending_.load(); }
  std::size_t pending_bytes() const { return pending_bytes_.load(); }
  std::uint64_t committed_polls() const { return committed_polls_.load(); }

  // Time spent in each stage, summed over all polls (the benchmark's breakdown).
  struct Timings {
    std::chrono::nanoseconds parse{0};
    std::chrono::nanoseconds write{0};
  };
  Timings timings() const;

 private:
  void writer_loop();
  void commit(std::vector<fetch::PollReport>& batch);
  void release(std::size_t polls, std::size_t bytes);
  // The order a source's documents last showed by their own dates: stored with each poll,
  // and kept here for the polls parsed before the source is loaded again.
  DateOrder date_order_seen(const fetch::PollSource& source) const;
  void remember_date_order(std::int64_t source_id, DateOrder order);
  std::shared_ptr<const rules::RuleSet> current_rules() const;
  // Applies `rules` to a parsed document and keeps what they dropped until its poll is
  // committed.
  void apply_rules(const rules::RuleSet& rules, std::int64_t source_id, const rules::SourceScope& scope,
                   Feed& feed);
  // Counts the rule effects of the polls of `batch` once the batch is committed (`stored`),
  // forgets them when it is not, and stores the counts not yet stored.
  void settle_rule_counts(const std::vector<fetch::PollReport>& batch, bool stored);

  storage::Store& store_;
  PipelineOptions options_;
  PipelineHooks hooks_;
  boost::asio::thread_pool parsers_;

  mutable std::mutex mutex_;
  mutable std::condition_variable wake_;
  std::deque<fetch::PollReport> queue_;
  std::deque<std::function<void(storage::Store&)>> jobs_;
  bool stopping_ = false;
  std::thread writer_;

  std::atomic<std::size_t> pending_{0};
  std::atomic<std::size_t> pending_bytes_{0};
  mutable std::atomic<bool> throttled_{false};  // accepting() said no since the last drain
  std::atomic<std::uint64_t> committed_polls_{0};
  std::atomic<std::int64_t> parse_ns_{0};
  std::atomic<std::int64_t> write_ns_{0};
  mutable std::mutex orders_mutex_;
  std::unordered_map<std::int64_t, DateOrder> orders_seen_;  // since start, by source id
  mutable std::mutex rules_mutex_;
  std::shared_ptr<const rules::RuleSet> rules_ = std::make_shared<const rules::RuleSet>();
  // What the rules did to each source's documents parsed since its last commit: counted
  // only once a poll of the source is committed, so a batch that fails (and is fetched
  // again) counts nothing. Its drops by rule and item key, and its regex time-outs by rule.
  struct UncommittedRules {
    std::set<std::pair<std::string, std::string>> drops;
    std::map<std::string, std::int64_t> timeouts;
  };
  std::unordered_map<std::int64_t, UncommittedRules> uncommitted_rules_;
  std::map<std::pair<std::int64_t, std::string>, storage::RuleCount>
      rule_counts_;  // committed, not yet stored; writer only
  // The items each source's rules dropped in committed polls since start: a feed keeps
  // carrying an item for days, and each item's drop is counted once, not at every poll.
  std::unordered_map<std::int64_t, std::unordered_set<std::string>> dropped_seen_;
};

// The storage record of one finished poll.
storage::FetchRecord to_record(const fetch::PollReport& report);

}  // namespace tinhop::daemon
