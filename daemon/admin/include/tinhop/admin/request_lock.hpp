// One admin listener, several handler threads (ServerOptions::handler_threads), one store
// and one console between them: every request is handled under one lock, which a slow fetch
// (a site's discovery, an html source's preview) gives up while it waits, so one slow site
// no longer holds up every other admin request. At most `max_fetches` such fetches wait at
// once; beyond that the caller answers 503 with Retry-After (kBusyRetryAfter).
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

#include "tinhop/admin/server.hpp"

namespace tinhop::admin {

class RequestLock {
 public:
  explicit RequestLock(std::size_t max_fetches) : max_fetches_(max_fetches) {}
  RequestLock(const RequestLock&) = delete;
  RequestLock& operator=(const RequestLock&) = delete;

  // `handler`, called with the lock held; the lock must outlive the result.
  Handler serialized(Handler handler) {
    return [this, handler = std::move(handler)](const Request& request) {
      std::lock_guard held(mutex_);
      return handler(request);
    };
  }

  // From inside a serialized handler: runs `fetch` without the lock and takes the lock back
  // before returning, so other requests are handled meanwhile (what the caller read before
  // may have changed). nullopt, without running it, when max_fetches are waiting already.
  template <class Fetch>
  std::optional<std::invoke_result_t<Fetch&>> unlocked(Fetch&& fetch) {
    if (fetching_ >= max_fetches_) return std::nullopt;
    ++fetching_;
    Released released(*this);
    return fetch();
  }

 private:
  // Gives the lock up for its lifetime, even when the fetch throws.
  struct Released {
    RequestLock& lock;
    explicit Released(RequestLock& l) : lock(l) { lock.mutex_.unlock(); }
    ~Released() {
      lock.mutex_.lock();
      --lock.fetching_;
    }
  };

  std::mutex mutex_;
  const std::size_t max_fetches_;
  std::size_t fetching_ = 0;  // guarded by mutex_
};

}  // namespace tinhop::admin
