#include "fd_limit.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>

namespace tinhop::daemon {

FdLimit ensure_fd_limit(std::uint64_t needed) {
  FdLimit out;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    out.error = errno;
    return out;
  }
  out.before = out.soft = limit.rlim_cur;
  out.hard = limit.rlim_max;
  if (limit.rlim_cur >= needed) return out;
  rlimit raised = limit;
  raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? needed : std::min<rlim_t>(needed, limit.rlim_max);
  if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) {
    out.error = errno;
    return out;
  }
  out.soft = raised.rlim_cur;
  return out;
}

}  // namespace tinhop::daemon
