// The Store: the backend chosen once at open, and the few operations made of others.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include <boost/json.hpp>

#include "backend.hpp"
#include "common.hpp"
#include "postgres/pq.hpp"

namespace tinhop::storage {

bool is_postgres_location(std::string_view location) {
  if (location.starts_with("postgresql://") || location.starts_with("postgres://")) return true;
  // libpq's key=value form starts with one of its connection keywords.
  std::size_t end = 0;
  while (end < location.size() && (std::isalpha(static_cast<unsigned char>(location[end])) != 0)) ++end;
  const std::string_view key = location.substr(0, end);
  std::string_view rest = location.substr(end);
  while (rest.starts_with(' ')) rest.remove_prefix(1);
  if (!rest.starts_with('=')) return false;
  for (const std::string_view known : {"host", "hostaddr", "port", "dbname", "user", "service", "passfile"}) {
    if (key == known) return true;
  }
  return false;
}

Store::Store(std::unique_ptr<Backend> backend) : backend_(std::move(backend)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

int Store::schema_version() {
  return sqlite::schema_version();
}

int Store::postgres_schema_version() {
  return postgres::schema_version();
}

Result<Store> Store::open(const std::string& location, const OpenOptions& options) {
  auto backend =
      is_postgres_location(location) ? postgres::open(location, options) : sqlite::open(location, options);
  if (!backend) return backend.error();
  return Store(std::move(*backend));
}

Result<std::int64_t> Store::add_source(const SourceSettings& settings, Instant now) {
  return backend_->add_source(settings, now);
}

Result<void> Store::update_source(std::int64_t id, const SourceSettings& settings, Instant now) {
  return backend_->update_source(id, settings, now);
}

Result<Source> Store::get_source(std::int64_t id) {
  return backend_->get_source(id);
}

Result<std::optional<Source>> Store::find_source_by_url(std::string_view url) {
  return backend_->find_source_by_url(url);
}

Result<std::int64_t> Store::upsert_source(const SourceSettings& settings, Instant now) {
  auto existing = find_source_by_url(settings.url);
  if (!existing) return existing.error();
  if (*existing) return (*existing)->id;
  return add_source(settings, now);
}

Result<std::vector<Source>> Store::list_sources() {
  return list_sources_after(std::numeric_limits<std::int64_t>::min(),
                            std::numeric_limits<std::size_t>::max());
}

Result<std::vector<Source>> Store::list_sources_after(std::int64_t after_id, std::size_t limit) {
  return backend_->list_sources_after(after_id, limit);
}

Result<void> Store::remove_source(std::int64_t id) {
  return backend_->remove_source(id);
}

Result<void> Store::set_enabled(std::int64_t id, bool enabled, Instant now, std::string_view reason) {
  return backend_->set_enabled(id, enabled, now, reason);
}

Result<void> Store::move_source(std::int64_t id, const std::string& new_url, Instant now) {
  return backend_->move_source(id, new_url, now);
}

Result<void> Store::set_feed_info(std::int64_t id, const std::optional<std::string>& title,
                                  const std::optional<std::string>& site_link) {
  return backend_->set_feed_info(id, title, site_link);
}

Result<std::vector<std::string>> Store::list_categories() {
  return backend_->list_categories();
}

Result<IngestCounts> Store::ingest(std::int64_t source_id, const Feed& feed, Instant now) {
  return backend_->ingest(source_id, feed, now);
}

Result<std::vector<IngestCounts>> Store::ingest_batch(std::span<const IngestRequest> requests) {
  return backend_->ingest_batch(requests);
}

Result<std::vector<IngestCounts>> Store::commit_polls(std::span<const PollResult> polls) {
  return backend_->commit_polls(polls);
}

Result<FetchState> Store::record_fetch(const FetchRecord& record) {
  return backend_->record_fetch(record);
}

Result<Health> Store::health(std::int64_t source_id) {
  return backend_->health(source_id);
}

Result<std::vector<Health>> Store::all_health() {
  return backend_->all_health();
}

Result<std::vector<Health>> Store::health_between(std::int64_t after_id, std::int64_t last_id) {
  return backend_->health_between(after_id, last_id);
}

Result<void> Store::visit_sources(const std::function<void(const Source&, const Health*)>& visit,
                                  std::size_t page) {
  for (std::int64_t after = std::numeric_limits<std::int64_t>::min();;) {
    auto sources = list_sources_after(after, page);
    if (!sources) return sources.error();
    if (sources->empty()) return {};
    auto health = health_between(after, sources->back().id);
    if (!health) return health.error();
    // Both in id order: one merge pass.
    std::size_t h = 0;
    for (const Source& source : *sources) {
      while (h < health->size() && (*health)[h].source_id < source.id) ++h;
      visit(source, h < health->size() && (*health)[h].source_id == source.id ? &(*health)[h] : nullptr);
    }
    if (sources->size() < page) return {};
    after = sources->back().id;
  }
}

Result<std::vector<FetchHistoryEntry>> Store::fetch_history(std::int64_t source_id, std::size_t limit) {
  return backend_->fetch_history(source_id, limit);
}

Result<PublicationStats> Store::publication_stats(std::int64_t source_id) {
  return backend_->publication_stats(source_id);
}

Result<std::vector<std::int64_t>> Store::items_per_day(std::int64_t source_id, Instant now, int days) {
  return backend_->items_per_day(source_id, now, days);
}

Result<ClusterPage> Store::latest_clusters(const ClusterQuery& query) {
  return backend_->latest_clusters(query);
}

Result<std::vector<TopStory>> Store::top_stories(const TopQuery& query) {
  return backend_->top_stories(query);
}

double top_score(std::int64_t publishers, std::chrono::seconds age, std::chrono::seconds half_life) {
  const double halves = static_cast<double>(std::max<std::int64_t>(age.count(), 0)) /
                        static_cast<double>(std::max<std::int64_t>(half_life.count(), 1));
  return static_cast<double>(publishers) * std::exp2(-halves);
}

std::vector<TopCandidate> rank_top(std::vector<TopCandidate> candidates, const TopQuery& query) {
  std::erase_if(candidates, [&](const TopCandidate& c) { return c.publishers < query.min_publishers; });
  for (TopCandidate& c : candidates) {
    c.score =
        top_score(c.publishers, std::chrono::duration_cast<std::chrono::seconds>(query.now - c.published),
                  query.half_life);
  }
  std::sort(candidates.begin(), candidates.end(), [](const TopCandidate& a, const TopCandidate& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.published != b.published) return a.published > b.published;
    return a.cluster_id > b.cluster_id;
  });
  if (candidates.size() > std::clamp<std::size_t>(query.limit, 1, 1000)) {
    candidates.resize(std::clamp<std::size_t>(query.limit, 1, 1000));
  }
  return candidates;
}

void check_articles(const Feed& feed, std::span<const ArticleFetch> articles) {
  if (!articles.empty() && articles.size() != feed.items.size()) {
    throw sql::SqlFailure{Error{Errc::invalid_argument, "article states for " +
                                                            std::to_string(articles.size()) + " of " +
                                                            std::to_string(feed.items.size()) + " entries"}};
  }
}

void check_filter(const ClusterQuery& query) {
  if (!query.filter) return;
  if (query.source_id || query.category) {
    throw sql::SqlFailure{
        Error{Errc::invalid_argument, "a view's filter names its own sources and categories"}};
  }
  if (query.search && query.order == ClusterQuery::Order::relevance) {
    throw sql::SqlFailure{Error{Errc::invalid_argument, "a view lists newest first"}};
  }
}

void throw_no_source(std::int64_t id) {
  throw sql::SqlFailure{Error{Errc::not_found, "no source with id " + std::to_string(id)}};
}

void require_room_for_rule(std::size_t stored, std::size_t most) {
  if (stored < most) return;
  throw sql::SqlFailure{Error{Errc::full, "there are " + std::to_string(stored) +
                                              " rules already, the most tinhop keeps; remove one first"}};
}

std::optional<std::string> json_list(const std::vector<std::string>& values) {
  if (values.empty()) return std::nullopt;
  boost::json::array array;
  for (const std::string& value : values) array.emplace_back(value);
  return boost::json::serialize(array);
}

std::optional<std::string> item_language(const Item& item, const Feed& feed) {
  const std::optional<std::string>& given =
      item.extras && item.extras->language ? item.extras->language : feed.language;
  if (!given) return std::nullopt;
  std::string tag;
  for (const char c : *given) {
    if (c == ' ' || c == '\t') continue;
    tag += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (tag.empty()) return std::nullopt;
  return tag;
}

Result<StoredItem> Store::get_item(std::int64_t item_id) {
  return backend_->get_item(item_id);
}

Result<std::optional<Story>> Store::story(std::int64_t public_id) {
  return backend_->story(public_id);
}

Result<ChangeStamp> Store::last_change() {
  return backend_->last_change();
}

Result<std::int64_t> Store::sources_version() {
  return backend_->sources_version();
}

Result<std::vector<std::optional<std::int64_t>>> Store::locate_items(std::int64_t source_id,
                                                                     const Feed& feed) {
  return backend_->locate_items(source_id, feed);
}

Result<std::vector<bool>> Store::articles_pending(std::int64_t source_id, const Feed& feed) {
  return backend_->articles_pending(source_id, feed);
}

Result<StoreStats> Store::stats() {
  return backend_->stats();
}

DedupWaits Store::dedup_waits() const {
  return backend_->dedup_waits();
}

Result<RetentionReport> Store::apply_retention(const RetentionPolicy& per_source,
                                               const RetentionPolicy& global, Instant now) {
  return backend_->apply_retention(per_source, global, now);
}

Result<std::int64_t> Store::forget_tombstones(Instant older_than) {
  return backend_->forget_tombstones(older_than);
}

Result<void> Store::vacuum(std::int64_t pages) {
  return backend_->vacuum(pages);
}

Result<void> Store::checkpoint() {
  return backend_->checkpoint();
}

Result<std::vector<std::string>> Store::explain_read_queries() {
  return backend_->explain_read_queries();
}

Result<void> Store::save_subscription(const Subscription& subscription) {
  return backend_->save_subscription(subscription);
}

Result<std::optional<Subscription>> Store::subscription_of_source(std::int64_t source_id) {
  return backend_->subscription_of_source(source_id);
}

Result<std::optional<Subscription>> Store::subscription_by_callback(std::string_view callback) {
  return backend_->subscription_by_callback(callback);
}

Result<std::vector<Subscription>> Store::list_subscriptions() {
  return backend_->list_subscriptions();
}

Result<void> Store::remove_subscription(std::int64_t source_id) {
  return backend_->remove_subscription(source_id);
}

Result<void> Store::save_hub_subscription(const HubSubscription& subscription) {
  return backend_->save_hub_subscription(subscription);
}

Result<std::vector<HubSubscription>> Store::list_hub_subscriptions() {
  return backend_->list_hub_subscriptions();
}

Result<void> Store::remove_hub_subscription(std::string_view topic, std::string_view callback) {
  return backend_->remove_hub_subscription(topic, callback);
}

Result<std::vector<StoredItem>> Store::source_items(std::int64_t source_id, std::size_t limit) {
  return backend_->source_items(source_id, limit);
}

Result<void> Store::add_rule_counts(std::span<const RuleCount> counts) {
  return backend_->add_rule_counts(counts);
}

Result<std::vector<RuleCount>> Store::rule_counts(std::optional<std::int64_t> source_id) {
  return backend_->rule_counts(source_id);
}

Result<std::vector<StoredRule>> Store::list_rules() {
  return backend_->list_rules();
}

Result<std::int64_t> Store::add_rule(const StoredRule& rule, Instant now, std::size_t most) {
  return backend_->add_rule(rule, now, most);
}

Result<void> Store::update_rule(const StoredRule& rule, Instant now) {
  return backend_->update_rule(rule, now);
}

Result<void> Store::remove_rule(std::int64_t id) {
  return backend_->remove_rule(id);
}

Result<std::int64_t> Store::rules_version() {
  return backend_->rules_version();
}

Result<Claim> Store::claim_source(const ClaimRequest& request) {
  return backend_->claim_source(request);
}

Result<std::vector<std::int64_t>> Store::renew_leases(std::string_view node,
                                                      std::span<const std::int64_t> source_ids,
                                                      MilliInstant until) {
  return backend_->renew_leases(node, source_ids, until);
}

Result<std::vector<std::int64_t>> Store::release_leases(std::string_view node,
                                                        std::span<const LeaseRelease> releases) {
  return backend_->release_leases(node, releases);
}

Result<void> Store::heartbeat(const NodeHeartbeat& beat) {
  return backend_->heartbeat(beat);
}

Result<std::vector<NodeStatus>> Store::cluster_status(MilliInstant now) {
  return backend_->cluster_status(now);
}

}  // namespace tinhop::storage

namespace tinhop::storage {

namespace {

// Why `target` cannot receive a copy, or nothing when it holds no data.
Result<std::optional<std::string>> refusal(Backend& target) {
  auto stats = target.stats();
  if (!stats) return stats.error();
  auto rules = target.rule_counts(std::nullopt);
  if (!rules) return rules.error();
  auto subscriptions = target.list_subscriptions();
  if (!subscriptions) return subscriptions.error();
  auto stored_rules = target.list_rules();
  if (!stored_rules) return stored_rules.error();
  std::string held;
  auto note = [&](std::int64_t count, const char* what) {
    if (count > 0) held += (held.empty() ? "" : ", ") + std::to_string(count) + " " + what;
  };
  note(stats->sources, "sources");
  note(stats->items, "items");
  note(stats->clusters, "clusters");
  note(stats->tombstones, "tombstones");
  note(static_cast<std::int64_t>(rules->size()), "rule counts");
  note(static_cast<std::int64_t>(subscriptions->size()), "WebSub subscriptions");
  note(static_cast<std::int64_t>(stored_rules->size()), "rules");
  if (held.empty()) return std::optional<std::string>();
  return std::optional<std::string>(held);
}

std::string shown(const std::string& location) {
  return is_postgres_location(location) ? pg::describe(location) : location;
}

}  // namespace

Result<CopyReport> copy_database(const std::string& from, const std::string& to, const CopyOptions& options) {
  if (options.batch_rows == 0) return Error{Errc::invalid_argument, "copy batch of 0 rows"};
  OpenOptions open_options;
  open_options.dedup.max_candidate_bytes = 0;  // nothing here ingests
  auto open = [&](const std::string& location) {
    return is_postgres_location(location) ? postgres::open(location, open_options)
                                          : sqlite::open(location, open_options);
  };
  auto source = open(from);
  if (!source) return Error{source.error().code, "source " + shown(from) + ": " + source.error().message};
  auto target = open(to);
  if (!target) return Error{target.error().code, "target " + shown(to) + ": " + target.error().message};
  auto held = refusal(**target);
  if (!held) return held.error();
  if (*held) {
    return Error{Errc::already_exists, "target " + shown(to) + " is not empty (" + **held +
                                           "): migrate-db copies into an empty database only"};
  }
  auto marks = (*source)->id_marks();
  if (!marks) return marks.error();

  CopyReport report;
  for (const auto& table : transfer::tables()) {
    std::int64_t copied = 0;
    auto exported =
        (*source)->export_rows(table, options.batch_rows, [&](std::span<const transfer::Row> rows) {
          auto written = (*target)->import_rows(table, rows);
          if (!written) {
            return Result<void>(Error{written.error().code, "writing " + std::string(table.name) + " into " +
                                                                shown(to) + ": " + written.error().message});
          }
          copied += static_cast<std::int64_t>(rows.size());
          if (options.progress) options.progress(table.name, copied);
          return Result<void>();
        });
    if (!exported) return exported.error();
    report.rows.emplace_back(table.name, copied);
  }
  if (auto finished = (*target)->finish_import(*marks); !finished) return finished.error();
  return report;
}

Result<std::vector<Instant>> Store::arrivals(std::int64_t source_id, Instant since) {
  return backend_->arrivals(source_id, since);
}

Result<std::vector<SourceAlert>> Store::source_alerts() {
  return backend_->source_alerts();
}

Result<std::int64_t> Store::record_alert(const AlertEvent& event) {
  return backend_->record_alert(event);
}

Result<std::vector<AlertEvent>> Store::recent_alerts(std::size_t limit) {
  return backend_->recent_alerts(limit);
}

}  // namespace tinhop::storage
