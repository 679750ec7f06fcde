// Logging for the daemon: one line per event, `event key=value ...` (logfmt), to stderr
// with systemd priority prefixes (<3> error ... <7> debug) so journald files each line at
// its level; or one JSON object per line with `--log-format json` / [log] format = "json".
//
//   auto log = tinhop::logging::get("fetch");
//   log->info("poll.done {} {} {}", kv("source", id), kv("url", url), kv("status", 200));
#pragma once

#include <spdlog/spdlog.h>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/config/config.hpp"

namespace tinhop::logging {

// Installs the stderr sink for every logger, existing and future, at `level` in `format`.
// Every URL in a line has its userinfo and `secret_params` values redacted (url_privacy.hpp).
// Safe to call again (a reload changes the level or format).
void setup(config::LogLevel level, config::LogFormat format,
           const std::vector<std::string>& secret_params = default_secret_params());

// The named logger of a stage ("fetch", "scheduler", "http", "admin", "config", ...).
std::shared_ptr<spdlog::logger> get(const std::string& stage);

// `key=value`, the value quoted (with \" and \\ escaped, control characters as \n, \t,
// \xNN) when it is empty or holds a space, a quote, '=' or a control character.
std::string kv(std::string_view key, std::string_view value);
std::string kv(std::string_view key, const char* value);
std::string kv(std::string_view key, const std::string& value);
std::string kv(std::string_view key, std::int64_t value);
std::string kv(std::string_view key, int value);

// Renders one logfmt line as a JSON object's members: the leading words become "msg",
// each key=value a string member ("ts", "level" and "logger" are added by the sink).
// Exposed for tests.
std::string logfmt_to_json(std::string_view line);

}  // namespace tinhop::logging
