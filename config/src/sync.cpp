#include "tinhop/config/sync.hpp"

#include <map>
#include <set>

namespace tinhop::config {

SyncPlan plan_sync(const std::vector<FileSource>& file, const std::vector<StoredSource>& stored) {
  SyncPlan plan;
  std::map<std::string_view, const StoredSource*> by_url;
  for (const StoredSource& source : stored) by_url.emplace(source.settings.url, &source);
  std::set<std::string_view> declared;
  for (const FileSource& wanted : file) {
    declared.insert(wanted.settings.url);
    auto it = by_url.find(wanted.settings.url);
    if (it == by_url.end()) {
      plan.add.push_back(wanted.settings);
      continue;
    }
    const StoredSource& existing = *it->second;
    if (existing.origin != Origin::config) {
      plan.conflicts.push_back({existing.id, existing.origin, wanted.settings.url, wanted.line});
    } else if (existing.settings != wanted.settings) {
      plan.update.push_back({existing.id, wanted.settings});
    } else {
      ++plan.unchanged;
    }
  }
  for (const StoredSource& source : stored) {
    if (source.origin == Origin::config && source.settings.enabled &&
        !declared.contains(source.settings.url)) {
      plan.disable.push_back(source.id);
    }
  }
  return plan;
}

}  // namespace tinhop::config
