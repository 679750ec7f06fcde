// A second thread for the pure part of storing a new item (canonical link, plain text,
// fingerprint, search text: a fifth of the writer's time per new item), so the one writer
// spends its time on the database. Jobs run in order while the writer consumes their
// results in the same order, waiting only when it catches up with the worker.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace tinhop::storage {

class PrepareWorker {
 public:
  PrepareWorker();
  PrepareWorker(const PrepareWorker&) = delete;
  PrepareWorker& operator=(const PrepareWorker&) = delete;
  ~PrepareWorker();

  // Runs job(0), job(1) .. job(count - 1) on the worker thread, in order, and returns at
  // once. The previous run must be finished.
  void start(std::size_t count, std::function<void(std::size_t)> job);
  // Blocks until job(index) has run; rethrows what it threw.
  void wait(std::size_t index);
  // Blocks until the run is over (the jobs' captures may go away then). Never throws.
  void finish() noexcept;

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;  // the worker: a run to do, or stop
  std::condition_variable done_;  // the writer: a job done
  std::function<void(std::size_t)> job_;
  std::size_t count_ = 0;
  // Jobs of the current run done. Atomic so that the writer can watch it without the lock:
  // a job takes some tens of microseconds, and sleeping on the condition variable and being
  // woken costs about as much each time the writer catches up.
  std::atomic<std::size_t> completed_ = 0;
  std::atomic<bool> writer_waiting_ = false;  // asleep on done_, or about to be
  bool running_ = false;
  std::atomic<bool> abandon_ = false;  // finish() before the run completed: skip the rest
  bool stopping_ = false;
  std::exception_ptr failure_;
  std::thread thread_;  // last: starts once everything above is ready
};

// The worker in `slot`, started on first use; null when no thread could be started (the
// caller then prepares alone, more slowly).
PrepareWorker* started_worker(std::unique_ptr<PrepareWorker>& slot);

// Ends a run whatever way the scope is left (the jobs refer to its locals).
class PrepareRun {
 public:
  explicit PrepareRun(PrepareWorker* worker) : worker_(worker) {}
  PrepareRun(const PrepareRun&) = delete;
  PrepareRun& operator=(const PrepareRun&) = delete;
  ~PrepareRun() {
    if (worker_ != nullptr) worker_->finish();
  }

 private:
  PrepareWorker* worker_;
};

}  // namespace tinhop::storage
