#include "tinhop/publish/catalog.hpp"

#include <limits>

namespace tinhop::publish {
namespace {

constexpr std::size_t kPage = 512;

void count(SourceCounts& counts, const storage::Source& source, const storage::Health* health) {
  if (!source.settings.enabled) return;
  ++counts.enabled;
  if (!health) return;
  if (health->last_attempt) ++counts.polled;
  if (health->consecutive_failures > 0) ++counts.failing;
  if (health->stale) ++counts.stale;
}

// Both lists in id order (as the store returns them): one merge pass.
void count_sorted(SourceCounts& counts, const std::vector<storage::Source>& sources,
                  const std::vector<storage::Health>& health) {
  std::size_t h = 0;
  for (const storage::Source& source : sources) {
    while (h < health.size() && health[h].source_id < source.id) ++h;
    count(counts, source, h < health.size() && health[h].source_id == source.id ? &health[h] : nullptr);
  }
}

}  // namespace

storage::Result<SourceCounts> Catalog::source_counts() {
  auto sources = list_sources();
  if (!sources) return sources.error();
  auto health = all_health();
  if (!health) return health.error();
  SourceCounts counts;
  for (const storage::Source& source : *sources) {
    const storage::Health* found = nullptr;
    for (const storage::Health& h : *health) {
      if (h.source_id == source.id) {
        found = &h;
        break;
      }
    }
    count(counts, source, found);
  }
  return counts;
}

storage::Result<SourceCounts> StoreCatalog::source_counts() {
  SourceCounts counts;
  for (std::int64_t after = std::numeric_limits<std::int64_t>::min();;) {
    auto sources = store_.list_sources_after(after, kPage);
    if (!sources) return sources.error();
    if (sources->empty()) break;
    auto health = store_.health_between(after, sources->back().id);
    if (!health) return health.error();
    count_sorted(counts, *sources, *health);
    if (sources->size() < kPage) break;
    after = sources->back().id;
  }
  return counts;
}

}  // namespace tinhop::publish
