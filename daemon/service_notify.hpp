// The service manager's side channel (sd_notify): readiness, a one-line status, watchdog
// pings, reload and stop. Every call is a no-op when not started by systemd (no
// NOTIFY_SOCKET), and none ever fails the caller.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace tinhop::service {

// True when a service manager listens (NOTIFY_SOCKET is set).
bool notify_enabled();

// READY=1 with a STATUS= line: call once the database is open and the listeners are bound.
// After a reload, tells systemd the reload is over.
void notify_ready(std::string_view status);

// STATUS=<one line>, e.g. the poll summary "1200 sources, 3 failing, last poll 12s ago".
void notify_status(std::string_view status);

// WATCHDOG=1: call from the event loop after a successful database ping.
void notify_watchdog();

// RELOADING=1 (with MONOTONIC_USEC): a SIGHUP reload started; follow with notify_ready.
void notify_reloading();

// STOPPING=1: graceful shutdown started.
void notify_stopping();

// How often to send WATCHDOG=1 (half of WatchdogSec), or nullopt when no watchdog is set.
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace tinhop::service
