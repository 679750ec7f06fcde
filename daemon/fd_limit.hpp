// The open-file limit against what the daemon may hold at once: every connection of both
// listeners is a descriptor, and at the soft limit accept() fails instead of admitting one.
#pragma once

#include <cstdint>

namespace tinhop::daemon {

struct FdLimit {
  std::uint64_t before = 0;  // soft limit found
  std::uint64_t soft = 0;    // soft limit now
  std::uint64_t hard = 0;
  int error = 0;  // errno of a refused getrlimit/setrlimit (a seccomp filter, say); 0 if none
};

// Raises the soft RLIMIT_NOFILE to `needed` when it is lower, as far as the hard limit
// allows (no privilege needed for that).
FdLimit ensure_fd_limit(std::uint64_t needed);

}  // namespace tinhop::daemon
