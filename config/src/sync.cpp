#include "tinhop/config/sync.hpp"

#include <map>
#include <set>

namespace tinhop::config {

SyncPlan plan_sync(const std::vector<FileSource>& file, const std::vector<StoredSource>& stored) {
  SyncPlan plan;
  std::map<std::string_view, const StoredSource*> by_url;
  std::map<std::string_view, const StoredSource*> by_old_url;
  for (const StoredSource& source : stored) {
    by_url.emplace(source.settings.url, &source);
    if (source.moved_from) by_old_url.emplace(*source.moved_from, &source);
  }
  std::set<std::string_view> declared;
  for (const FileSource& wanted : file) {
    SourceSettings settings = wanted.settings;
    auto it = by_url.find(settings.url);
    const StoredSource* existing = it == by_url.end() ? nullptr : it->second;
    if (!existing) {
      auto moved = by_old_url.find(settings.url);
      if (moved != by_old_url.end() && moved->second->origin == Origin::config) {
        existing = moved->second;
        plan.moved.push_back({existing->id, settings.url, existing->settings.url, wanted.line});
        settings.url = existing->settings.url;
      }
    }
    declared.insert(existing ? std::string_view(existing->settings.url)
                             : std::string_view(wanted.settings.url));
    if (!existing) {
      plan.add.push_back(settings);
    } else if (existing->origin != Origin::config) {
      plan.conflicts.push_back({existing->id, existing->origin, settings.url, wanted.line});
    } else if (existing->settings != settings) {
      plan.update.push_back({existing->id, settings});
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
