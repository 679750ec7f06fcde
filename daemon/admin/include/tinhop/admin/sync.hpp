// Syncing the configuration file's [[source]] list into the database, at start and after
// every applied reload. Only sources the file owns change; see config/sync.hpp.
#pragma once

#include <string>
#include <vector>

#include "tinhop/config/config.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::admin {

struct SyncReport {
  std::size_t added = 0;
  std::size_t updated = 0;
  std::size_t disabled = 0;
  std::size_t unchanged = 0;
  // One line per thing the operator should know: a URL another origin owns, a source
  // whose URL moved (301/308) so the file is out of date, a write that failed.
  std::vector<std::string> notes;
  bool ok = true;  // false when a write failed (the notes say which); the rest was applied
};

SyncReport sync_sources(storage::Store& store, const config::Config& config, Instant now);

}  // namespace tinhop::admin
