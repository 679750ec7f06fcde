#include "maintenance.hpp"

namespace tinhop::daemon {

MaintenanceReport run_maintenance(storage::Store& store, const config::RetentionConfig& retention,
                                  Instant now) {
  MaintenanceReport report;
  storage::RetentionPolicy per_source;
  per_source.max_age = retention.max_age;
  per_source.max_items = retention.max_items_per_source;
  auto purged = store.apply_retention(per_source, {}, now);
  if (!purged) {
    report.error = "retention: " + purged.error().message;
    return report;
  }
  report.retention = *purged;
  auto forgotten = store.forget_tombstones(now - kTombstoneAges * retention.max_age);
  if (!forgotten) {
    report.error = "tombstones: " + forgotten.error().message;
    return report;
  }
  report.tombstones_forgotten = *forgotten;
  if (auto vacuumed = store.vacuum(kVacuumPages); !vacuumed)
    report.error = "vacuum: " + vacuumed.error().message;
  return report;
}

}  // namespace tinhop::daemon
