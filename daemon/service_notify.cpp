#include "service_notify.hpp"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdlib>
#include <string>

namespace tinhop::service {

namespace {

// A STATUS= value is one line; a newline would start a new (bogus) assignment.
std::string one_line(std::string_view text) {
  std::string out(text.substr(0, 512));
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

void send(const std::string& state) {
  // sd_notify reports failures as a negative errno; nothing useful can be done about a
  // service manager that stopped listening, so the daemon carries on.
  (void)sd_notify(0, state.c_str());
}

}  // namespace

bool notify_enabled() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  return socket != nullptr && *socket != '\0';
}

void notify_ready(std::string_view status) {
  send("READY=1\nSTATUS=" + one_line(status));
}

void notify_status(std::string_view status) {
  send("STATUS=" + one_line(status));
}

void notify_watchdog() {
  send("WATCHDOG=1");
}

void notify_reloading() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  auto usec = static_cast<unsigned long long>(now.tv_sec) * 1'000'000ULL +
              static_cast<unsigned long long>(now.tv_nsec) / 1000ULL;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void notify_stopping() {
  send("STOPPING=1");
}

std::optional<std::chrono::microseconds> watchdog_interval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec / 2);
}

}  // namespace tinhop::service
