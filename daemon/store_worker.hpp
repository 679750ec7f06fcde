// A thread of its own doing database work on a Store of its own, one job after another, so
// that a slow round trip never holds the event loop: the jobs post what they learn back to
// the loop themselves.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "tinhop/storage/store.hpp"

namespace tinhop::daemon {

class StoreWorker {
 public:
  explicit StoreWorker(storage::Store store);
  // Runs the jobs already queued, then joins.
  ~StoreWorker();
  StoreWorker(const StoreWorker&) = delete;
  StoreWorker& operator=(const StoreWorker&) = delete;

  // Queues `job`; it runs on the worker's thread after the jobs queued before it. Jobs
  // queued after stop() are dropped.
  void post(std::function<void(storage::Store&)> job);
  // Runs the jobs already queued, then joins. Safe to call again.
  void stop();

 private:
  void run();

  storage::Store store_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void(storage::Store&)>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tinhop::daemon
