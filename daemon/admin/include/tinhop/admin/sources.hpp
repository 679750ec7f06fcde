// Operations on the source list, the same for `tinhop sources ...` and the admin API:
// validation (URL typos, time zones, duplicates after canonicalization), ownership (a
// source declared in the configuration file is changed only by the file), and the
// mapping between the configuration's and the store's view of a source.
#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tinhop/config/config.hpp"
#include "tinhop/config/opml.hpp"
#include "tinhop/config/source.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::admin {

// Why an operation on the source list was refused.
enum class Failure {
  invalid,        // the settings break a rule; message names the key ("url: ...")
  not_found,      // no source with that id
  conflict,       // another source has this URL already
  owned_by_file,  // declared in the configuration file: change it there and reload
  storage,        // the database failed (busy beyond the timeout, disk full, ...)
};

struct Problem {
  Failure failure = Failure::storage;
  std::string message;
};

[[noreturn]] void throw_exception_from_error(const Problem& problem, const boost::source_location& location);

template <class T>
using Outcome = boost::system::result<T, Problem>;

// The store's settings as the configuration describes them, and back. Unset date order and
// republication policy take `defaults` when stored; an unset time zone stays unset (the
// poller applies [defaults] time_zone at poll time).
config::SourceSettings from_stored(const storage::SourceSettings& stored);
storage::SourceSettings to_stored(const config::SourceSettings& settings, config::Origin origin,
                                  const config::DefaultsConfig& defaults);
config::Origin origin_of(const storage::Source& source);

// What an OPML import did.
struct ImportReport {
  std::vector<std::int64_t> added;            // ids of new sources
  std::vector<std::string> already_present;   // canonical URLs skipped: a source has them
  std::vector<config::OpmlProblem> problems;  // outlines refused, with the reason
};

// What a source added or changed through the CLI or the API must satisfy beyond the checks
// every source passes: the same bounds the file's sources have, and where it may point
// (the configuration file's own sources are trusted as written).
struct SourceRules {
  std::vector<IpNetwork> allow_networks;   // fetch.allow_networks
  std::string file_sources_under;          // admin.file_sources_under; empty: no file:// source
  std::chrono::seconds min_interval{120};  // poll.min_interval..poll.max_interval bound `interval`
  std::chrono::seconds max_interval{24 * 3600};
};
SourceRules source_rules_from(const config::Config& config);

// Empty when `url` (canonical) is within `rules`; otherwise "url: why".
std::string check_reach(const std::string& url, const SourceRules& rules);

class Sources {
 public:
  Sources(storage::Store& store, config::DefaultsConfig defaults, SourceRules rules)
      : store_(store), defaults_(std::move(defaults)), rules_(std::move(rules)) {}

  Outcome<std::vector<storage::Source>> list();
  Outcome<storage::Source> get(std::int64_t id);
  // `settings.url` may be as typed: it is checked and canonicalized here.
  Outcome<storage::Source> add(config::SourceSettings settings, config::Origin origin, Instant now);
  // Replaces every setting of a source the CLI or the API owns.
  Outcome<storage::Source> replace(std::int64_t id, config::SourceSettings settings, Instant now);
  Outcome<void> remove(std::int64_t id);
  Outcome<void> set_enabled(std::int64_t id, bool enabled, Instant now);
  // Adds every valid outline not present yet; invalid ones are reported, never imported.
  Outcome<ImportReport> import_opml(std::string_view document, config::Origin origin, Instant now);
  Outcome<std::string> export_opml();
  // The settings as add() would take them (checked, URL canonical, within the rules), or
  // the first problem: what to check before fetching anything on a source's behalf.
  Outcome<config::SourceSettings> validated(config::SourceSettings settings);

 private:
  Outcome<storage::Source> owned(std::int64_t id);  // the source, unless the file owns it

  storage::Store& store_;
  config::DefaultsConfig defaults_;
  SourceRules rules_;
};

// Checked and canonical settings, or the first problem as "key: message".
Outcome<config::SourceSettings> validate(config::SourceSettings settings);

// Failure for a storage error.
Problem from_storage(const storage::Error& error);

}  // namespace tinhop::admin
