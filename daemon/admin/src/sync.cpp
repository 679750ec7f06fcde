#include "tinhop/admin/sync.hpp"

#include "tinhop/admin/sources.hpp"
#include "tinhop/config/sync.hpp"

namespace tinhop::admin {

namespace {

// The file's settings as they will be stored: defaults that the store bakes in applied,
// so that comparing with the stored settings finds real changes only.
std::vector<config::FileSource> as_stored(const config::Config& config) {
  std::vector<config::FileSource> out = config.sources;
  for (config::FileSource& source : out) {
    source.settings.date_order = source.settings.date_order.value_or(config.defaults.date_order);
    source.settings.republication = source.settings.republication.value_or(config.defaults.republication);
  }
  return out;
}

}  // namespace

SyncReport sync_sources(storage::Store& store, const config::Config& config, Instant now) {
  SyncReport report;
  auto sources = store.list_sources();
  if (!sources) {
    report.ok = false;
    report.notes.push_back("cannot list sources: " + sources.error().message);
    return report;
  }
  std::vector<config::StoredSource> stored;
  stored.reserve(sources->size());
  for (const storage::Source& source : *sources) {
    stored.push_back({source.id, origin_of(source), from_stored(source.settings), source.fetch.moved_from});
  }
  config::SyncPlan plan = config::plan_sync(as_stored(config), stored);
  report.unchanged = plan.unchanged;
  std::string file = config.file.string();
  auto failed = [&](const std::string& what, const storage::Error& error) {
    report.ok = false;
    report.notes.push_back(what + ": " + error.message);
  };
  for (const config::SourceSettings& settings : plan.add) {
    auto id = store.add_source(to_stored(settings, config::Origin::config, config.defaults), now);
    if (id) {
      ++report.added;
    } else {
      failed("cannot add " + settings.url, id.error());
    }
  }
  for (const config::SyncPlan::Update& update : plan.update) {
    auto current = store.get_source(update.id);
    auto done = store.update_source(update.id,
                                    to_stored(update.settings, config::Origin::config, config.defaults), now);
    if (!done) {
      failed("cannot update source " + std::to_string(update.id), done.error());
      continue;
    }
    // Enabling through set_enabled clears a reason the daemon recorded (410 Gone).
    if (current && !current->settings.enabled && update.settings.enabled) {
      if (auto enabled = store.set_enabled(update.id, true, now); !enabled) {
        failed("cannot enable source " + std::to_string(update.id), enabled.error());
        continue;
      }
    }
    ++report.updated;
  }
  for (std::int64_t id : plan.disable) {
    auto done = store.set_enabled(id, false, now, "removed from the configuration file");
    if (done) {
      ++report.disabled;
    } else {
      failed("cannot disable source " + std::to_string(id), done.error());
    }
  }
  for (const config::SyncPlan::Conflict& conflict : plan.conflicts) {
    report.notes.push_back(
        file + ":" + std::to_string(conflict.line) + ": " + conflict.url + " is source " +
        std::to_string(conflict.id) + ", added by the " + std::string(config::to_string(conflict.owner)) +
        "; the file's entry is ignored (remove it there, or remove the source and reload)");
  }
  for (const config::SyncPlan::Moved& moved : plan.moved) {
    report.notes.push_back(file + ":" + std::to_string(moved.line) + ": " + moved.from +
                           " moved permanently to " + moved.to + " (source " + std::to_string(moved.id) +
                           "); update the file");
  }
  return report;
}

}  // namespace tinhop::admin
