// `tinhop serve`'s polling side: the source list from the database, the poller on the
// event loop, the pipeline behind it, and one log line per finished poll.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "article_follower.hpp"
#include "outage_log.hpp"
#include "pipeline.hpp"
#include "store_worker.hpp"
#include "tinhop/config/config.hpp"
#include "tinhop/fetch/client.hpp"
#include "tinhop/fetch/poller.hpp"
#include "tinhop/storage/store.hpp"
#include "tinhop/websub/subscriber.hpp"

namespace tinhop::daemon {

// Several daemons over one PostgreSQL database (docs/operations.md, "Several nodes").
struct ClusterOptions {
  std::string node;                                     // this daemon's name among the nodes
  std::chrono::seconds lease{std::chrono::minutes(2)};  // a claimed source stays ours this long unrenewed
};

// What this node did with the shared sources since it started (/metrics).
struct ClusterCounts {
  std::string node;
  std::uint64_t leases_held = 0;
  std::uint64_t claims = 0;
  std::uint64_t lost_leases = 0;
};

struct PollServiceOptions {
  fetch::ClientOptions client;
  fetch::PollerOptions poller;
  PipelineOptions pipeline;
  FollowOptions follow;  // sources with follow_links
  std::string default_time_zone = "Asia/Ho_Chi_Minh";
  DateOrder default_date_order = DateOrder::automatic;
  // Pushes from publishers' hubs: on when websub.enabled and server.base_url (the public
  // URL hubs call back) are both set.
  bool websub = false;
  websub::SubscriberOptions subscriber;
  // Set with PostgreSQL: a due source is fetched only under a lease claimed in the
  // database. Unset with SQLite, whose one daemon schedules from memory alone.
  std::optional<ClusterOptions> cluster;
};

// cluster.node, or the host name: the same on every start, so a restarted node finds the
// leases it held.
std::string node_name(const config::ClusterConfig& cluster);

// The poller's settings from the configuration file.
PollServiceOptions poll_options_from(const config::Config& config);

// What the service tells `tinhop serve`, on the pipeline's writer thread.
struct PollServiceHooks {
  // After each committed batch.
  std::function<void(const std::vector<Committed>&)> committed;
  // The first batch the store refused (disk full, I/O error) after stored ones, and the
  // first stored one after that: the publisher's /healthz says degraded in between.
  std::function<void(const std::string& error, Instant since)> writes_refused;
  std::function<void()> writes_resumed;
};

class PollService {
 public:
  // `loop_store` is used on the event loop thread only; `writer` by the pipeline's writer
  // thread only. `cluster_store`, required with options.cluster, is the claims' own: a
  // thread of the service claims, renews and beats the heartbeat on it.
  PollService(boost::asio::io_context& ioc, storage::Store& loop_store, storage::Store& writer,
              PollServiceOptions options, PollServiceHooks hooks,
              std::optional<storage::Store> cluster_store = std::nullopt);
  ~PollService();

  // Loads the enabled sources and starts polling.
  storage::Result<void> start();
  // Re-reads the source list when the database says it changed (CLI, API, reload).
  void refresh_sources(bool force = false);
  // Re-reads the editorial rules when the database says they changed (the file's synced
  // in, the CLI's, the API's): every document parsed from then on goes through the new set.
  void refresh_rules(bool force = false);
  void poll_now(std::int64_t id) { poller_.poll_now(id); }
  // A configuration reload: fetch limits and politeness for the fetches that start from
  // now on, the schedule policy from each source's next poll, and the default time zone and
  // date order for the sources without their own (those are reloaded into the poller).
  void apply_options(PollServiceOptions options);
  bool knows(std::int64_t id) const { return poller_.find(id) != nullptr; }
  // The WebSub subscriber answering our callback URLs; null when pushes are off. Its calls
  // belong on the event loop.
  websub::Subscriber* subscriber() { return subscriber_.get(); }

  // Shutdown, phase one: no new poll starts. Polls in flight keep running.
  void stop_scheduling();
  // Polls still fetching or parsing.
  std::size_t in_flight() const { return poller_.in_flight(); }
  // Cancels fetches still running (when the stop deadline passed, or none is left), and
  // with them the renewal of their leases: the event loop may then run out of work.
  void cancel_fetches() {
    client_.shutdown();
    renew_timer_.cancel();
  }
  // Phase two: every finished poll is committed; the writer stops. Then the leases granted
  // to polls that never started (scheduling stopped while their claims were out) are handed
  // back, due when they were claimed, so other nodes need not wait for them to run out.
  void finish_writes();
  // Runs `job` on the writer thread between two batches (see Pipeline::maintain).
  void maintain(std::function<void(storage::Store&)> job) { pipeline_.maintain(std::move(job)); }

  // One line for systemd's STATUS=: "12 sources, 1 failing, 2 in flight, 340 polls".
  std::string summary() const;
  // This node's lease counters; nullopt with one daemon (SQLite).
  std::optional<ClusterCounts> cluster_counts() const;
  const Pipeline& pipeline() const { return pipeline_; }

 private:
  fetch::PollSource to_poll_source(const storage::Source& source, const storage::Health* health) const;
  void on_committed(const std::vector<Committed>& polls);
  // Event loop: whether the source's pushes are wanted; when not, its subscription goes.
  void want_pushes(std::int64_t id, bool wanted);
  void on_store_failed(const std::vector<std::int64_t>& source_ids, const std::string& error);
  // Event loop: asks the cluster worker whether this node may fetch the due source now
  // (PollerHooks::claim); the answer comes back through the loop.
  void claim(const fetch::PollSource& source, const std::string& host, bool asked,
             fetch::PollerHooks::ClaimAnswer answer);
  // Event loop, every third of the lease: has the worker renew the leases of polls not yet
  // committed and send the heartbeat.
  void renew_leases();
  // Cluster worker: a database failure or success of its work, logged as OutageLog says.
  void database_failed(const char* event, const std::string& error, const char* action);
  void database_answered();
  // Writer thread: the committed polls' sources are due again at their next poll, for
  // every node.
  void release_leases(const std::vector<Committed>& polls);

  boost::asio::io_context& ioc_;
  storage::Store& store_;
  PollServiceOptions options_;
  PollServiceHooks hooks_;
  fetch::Client client_;
  Pipeline pipeline_;
  fetch::Poller poller_;
  ArticleFollower follower_;
  std::unique_ptr<websub::Subscriber> subscriber_;
  std::unordered_set<std::int64_t> push_wanted_;  // enabled sources with websub = "auto"
  std::int64_t sources_version_ = -1;
  std::int64_t rules_version_ = -1;
  std::unordered_map<std::int64_t, std::uint64_t> signatures_;  // what each polled source was loaded as
  std::atomic<std::uint64_t> polls_{0};
  std::atomic<std::uint64_t> failing_{0};
  std::unordered_map<std::int64_t, bool> failing_sources_;  // writer thread only
  // Since when the store refuses batches, and how many it refused (writer thread only).
  std::optional<std::chrono::steady_clock::time_point> refused_since_;
  std::int64_t batches_refused_ = 0;
  // Several nodes: the writer's store releases leases, the loop's claims and renews them.
  storage::Store& writer_;
  const std::optional<ClusterOptions> cluster_;  // fixed at start (cluster.* need a restart)
  boost::asio::steady_timer renew_timer_;
  storage::MilliInstant started_{};
  mutable std::mutex leased_mutex_;
  // Claimed, not yet released: when each was claimed (a lease handed back is due then).
  std::unordered_map<std::int64_t, storage::MilliInstant> leased_;
  std::atomic<std::uint64_t> claims_{0};
  std::atomic<std::uint64_t> lost_leases_{0};
  std::atomic<bool> renewal_queued_{false};  // one renewal waits for the worker at most
  OutageLog outage_;                         // cluster worker only
  // Declared last: its thread stops first, while everything its jobs use still exists.
  std::optional<StoreWorker> cluster_worker_;
};

}  // namespace tinhop::daemon
