// The publisher's read side: the few Store queries it needs, behind an interface so the
// handler and server can be tested with an in-memory catalog.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tinhop/storage/store.hpp"

namespace tinhop::publish {

// What the health report counts over the enabled sources.
struct SourceCounts {
  std::size_t enabled = 0;
  std::size_t polled = 0;   // attempted at least once
  std::size_t failing = 0;  // their last poll failed
  std::size_t stale = 0;
};

class Catalog {
 public:
  virtual ~Catalog() = default;
  virtual storage::Result<storage::ClusterPage> latest_clusters(const storage::ClusterQuery& query) = 0;
  // Top stories (storage::Store::top_stories); none by default (test catalogs).
  virtual storage::Result<std::vector<storage::TopStory>> top_stories(const storage::TopQuery&) {
    return std::vector<storage::TopStory>();
  }
  virtual storage::Result<std::vector<storage::Source>> list_sources() = 0;
  // One source, nullopt when there is none. The default searches list_sources() (enough
  // for test catalogs); a store reads just the one: a feed about one source must not read
  // all of them (at 10,000 sources the list is 11 MB).
  virtual storage::Result<std::optional<storage::Source>> find_source(std::int64_t id) {
    auto sources = list_sources();
    if (!sources) return sources.error();
    for (storage::Source& source : *sources) {
      if (source.id == id) return std::optional<storage::Source>(std::move(source));
    }
    return std::optional<storage::Source>();
  }
  virtual storage::Result<std::vector<std::string>> list_categories() = 0;
  // Every version of the story with that public id; nullopt when there is none.
  virtual storage::Result<std::optional<storage::Story>> story(std::int64_t public_id) = 0;
  virtual storage::Result<storage::ChangeStamp> last_change() = 0;
  virtual storage::Result<storage::StoreStats> stats() = 0;
  virtual storage::Result<std::vector<storage::Health>> all_health() = 0;
  // Each editorial rule's counts summed over every source; none by default (test catalogs).
  virtual storage::Result<std::vector<storage::RuleCount>> rule_counts() {
    return std::vector<storage::RuleCount>();
  }
  // The default reads both whole lists (enough for test catalogs); a store walks pages.
  virtual storage::Result<SourceCounts> source_counts();
};

// A Catalog over a Store. The Store must not be used by another thread while the server
// runs: the server serializes every call it makes.
class StoreCatalog final : public Catalog {
 public:
  explicit StoreCatalog(storage::Store& store) : store_(store) {}
  storage::Result<storage::ClusterPage> latest_clusters(const storage::ClusterQuery& query) override {
    return store_.latest_clusters(query);
  }
  storage::Result<std::vector<storage::TopStory>> top_stories(const storage::TopQuery& query) override {
    return store_.top_stories(query);
  }
  storage::Result<std::vector<storage::Source>> list_sources() override { return store_.list_sources(); }
  storage::Result<std::optional<storage::Source>> find_source(std::int64_t id) override {
    auto source = store_.get_source(id);
    if (!source && source.error().code == storage::Errc::not_found) return std::optional<storage::Source>();
    if (!source) return source.error();
    return std::optional<storage::Source>(std::move(*source));
  }
  storage::Result<std::vector<std::string>> list_categories() override { return store_.list_categories(); }
  storage::Result<std::optional<storage::Story>> story(std::int64_t public_id) override {
    return store_.story(public_id);
  }
  storage::Result<storage::ChangeStamp> last_change() override { return store_.last_change(); }
  storage::Result<storage::StoreStats> stats() override { return store_.stats(); }
  storage::Result<std::vector<storage::Health>> all_health() override { return store_.all_health(); }
  storage::Result<std::vector<storage::RuleCount>> rule_counts() override {
    return store_.rule_counts(std::nullopt);
  }
  // In pages: /healthz must not hold 10,000 sources and their health (15 MB) per request.
  storage::Result<SourceCounts> source_counts() override;

 private:
  storage::Store& store_;
};

}  // namespace tinhop::publish
