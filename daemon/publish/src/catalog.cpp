#include "tinhop/publish/catalog.hpp"

namespace tinhop::publish {
namespace {

void count(SourceCounts& counts, const storage::Source& source, const storage::Health* health) {
  if (!source.settings.enabled) return;
  ++counts.enabled;
  if (!health) return;
  if (health->last_attempt) ++counts.polled;
  if (health->consecutive_failures > 0) ++counts.failing;
  if (health->stale) ++counts.stale;
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
  auto visited = store_.visit_sources(
      [&](const storage::Source& source, const storage::Health* health) { count(counts, source, health); });
  if (!visited) return visited.error();
  return counts;
}

}  // namespace tinhop::publish
