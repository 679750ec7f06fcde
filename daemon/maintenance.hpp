// Periodic upkeep of the store, run through the pipeline's single writer: retention by age
// and count per source ([retention]), tombstones past their use, and free pages returned.
#pragma once

#include <string>

#include "tinhop/config/config.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::daemon {

struct MaintenanceReport {
  storage::RetentionReport retention;
  std::int64_t tombstones_forgotten = 0;
  std::string error;  // empty when every step succeeded
};

// Tombstones stop an old item that a feed still carries from coming back after it was
// purged; feeds drop such items long before this many purge ages have passed.
inline constexpr int kTombstoneAges = 2;
// Pages handed back to the file system per run: a bounded amount of work on the writer.
inline constexpr std::int64_t kVacuumPages = 2048;

MaintenanceReport run_maintenance(storage::Store& store, const config::RetentionConfig& retention,
                                  Instant now);

}  // namespace tinhop::daemon
