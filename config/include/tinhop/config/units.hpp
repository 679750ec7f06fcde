// Durations and sizes as people write them in the file and on the command line.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tinhop::config {

// "90s", "15m", "2h", "1d", "1h30m", or a bare number of seconds. nullopt when unreadable,
// negative or beyond 100 years.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// The shortest exact form: 900s -> "15m", 5400s -> "1h30m", 0s -> "0s".
std::string format_duration(std::chrono::seconds duration);

// "20MiB", "20MB" (both 1024-based, as people mean it for caps), "512KiB", "1GiB", or a bare
// number of bytes. nullopt when unreadable or beyond 1 TiB.
std::optional<std::uint64_t> parse_size(std::string_view text);

}  // namespace tinhop::config
