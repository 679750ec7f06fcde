// What a configuration reload (SIGHUP, `systemctl reload`, POST /api/reload) does to a
// running daemon: re-read the file, keep the running configuration when it is invalid,
// otherwise apply every setting that can change live and say, one line per setting, what
// was applied and what waits for a restart.
#pragma once

#include <string>
#include <vector>

#include "poll_service.hpp"
#include "tinhop/admin/api.hpp"
#include "tinhop/config/live.hpp"

namespace tinhop::daemon {

// How a changed setting takes effect.
enum class Takes {
  live,     // applied by the reload
  restart,  // the running value stays until the next start (listeners, database, TLS)
};

// One setting whose value differs between two configurations.
struct SettingChange {
  std::string key;  // "poll.min_interval", as in the file
  std::string running;
  std::string file;
  Takes takes = Takes::live;
};

// Every setting outside [[source]] that differs, in file order; `restart_needed` lists the
// keys LiveConfig kept at their running value.
std::vector<SettingChange> changed_settings(const config::Config& running, const config::Config& file,
                                            const std::vector<std::string>& restart_needed);

// Reloads `live` from its file and applies it: logging, the poller's options, the source
// list (synced through `store`, the event loop's connection). Runs on the event loop.
// Logs `config.applied` or `config.restart_needed` per changed setting.
admin::ApiHooks::Reload reload_config(config::LiveConfig& live, storage::Store& store, PollService& service,
                                      Instant now);

}  // namespace tinhop::daemon
