// The ownership rule of the source list, as a pure function: the file owns the sources it
// declares (origin `config`), the CLI and the API own theirs, and a reload changes only
// what the file owns. The daemon applies the plan to the database in one transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tinhop/config/config.hpp"
#include "tinhop/config/source.hpp"

namespace tinhop::config {

// A source as the database holds it, reduced to what the rule needs.
struct StoredSource {
  std::int64_t id = 0;
  Origin origin = Origin::config;
  SourceSettings settings;  // settings.url is canonical
  // The URL before a permanent redirect moved the source: the file may still say it.
  std::optional<std::string> moved_from;
};

struct SyncPlan {
  std::vector<SourceSettings> add;  // declared in the file, not in the database
  struct Update {
    std::int64_t id;
    SourceSettings settings;  // the file's version, to write as is
  };
  std::vector<Update> update;         // file-owned, and the file's settings differ
  std::vector<std::int64_t> disable;  // file-owned, enabled, no longer in the file
  // A URL the file declares but the CLI or the API already owns: left alone, reported.
  struct Conflict {
    std::int64_t id;
    Origin owner;
    std::string url;
    std::uint32_t line;  // of the [[source]] in the file
  };
  std::vector<Conflict> conflicts;
  // A file URL that matched a source through its pre-redirect URL: the source keeps its
  // new URL (its other settings follow the file), and the operator should edit the file.
  struct Moved {
    std::int64_t id;
    std::string from;  // as in the file
    std::string to;    // where the source lives now
    std::uint32_t line;
  };
  std::vector<Moved> moved;
  std::uint32_t unchanged = 0;
  bool empty() const { return add.empty() && update.empty() && disable.empty(); }
};

// What syncing `file` into `stored` does. Sources are matched by canonical URL, or by the
// URL they had before a permanent redirect moved them. A source
// removed from the file is disabled, never deleted, so its items and health survive.
SyncPlan plan_sync(const std::vector<FileSource>& file, const std::vector<StoredSource>& stored);

}  // namespace tinhop::config
