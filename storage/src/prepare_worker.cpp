#include "prepare_worker.hpp"

#include <system_error>

namespace tinhop::storage {

PrepareWorker::PrepareWorker() : thread_([this] { run(); }) {}

PrepareWorker* started_worker(std::unique_ptr<PrepareWorker>& slot) {
  if (!slot) {
    try {
      slot = std::make_unique<PrepareWorker>();
    } catch (const std::system_error&) {
      return nullptr;
    }
  }
  return slot.get();
}

PrepareWorker::~PrepareWorker() {
  finish();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void PrepareWorker::start(std::size_t count, std::function<void(std::size_t)> job) {
  {
    std::lock_guard lock(mutex_);
    job_ = std::move(job);
    count_ = count;
    completed_ = 0;
    failure_ = nullptr;
    abandon_ = false;
    running_ = count > 0;
  }
  wake_.notify_one();
}

void PrepareWorker::wait(std::size_t index) {
  // About as long as a job: most waits end here, without a system call. Not on one core,
  // where the worker cannot run while this spins.
  static const int spins = std::thread::hardware_concurrency() > 1 ? 4096 : 0;
  for (int spin = 0; spin < spins; ++spin) {
    if (completed_.load() > index) return;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
  }
  std::unique_lock lock(mutex_);
  writer_waiting_ = true;
  done_.wait(lock, [&] { return completed_.load() > index || failure_ != nullptr; });
  writer_waiting_ = false;
  if (failure_ != nullptr && completed_.load() <= index) std::rethrow_exception(failure_);
}

void PrepareWorker::finish() noexcept {
  std::unique_lock lock(mutex_);
  abandon_ = true;
  done_.wait(lock, [&] { return !running_; });
  job_ = nullptr;
}

void PrepareWorker::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return running_ || stopping_; });
    if (stopping_) return;
    const std::size_t count = count_;
    lock.unlock();
    std::exception_ptr failure;
    // finish() sets abandon_: the rest of the run is skipped from the next job on.
    for (std::size_t index = completed_.load(); index < count && !abandon_.load(); ++index) {
      try {
        job_(index);
      } catch (...) {
        failure = std::current_exception();
        break;
      }
      // Sequentially consistent with writer_waiting_: either the writer sees this job done
      // before it sleeps, or this sees it waiting and wakes it.
      completed_.store(index + 1);
      if (writer_waiting_.load()) {
        std::lock_guard wake(mutex_);
        done_.notify_one();
      }
    }
    lock.lock();
    if (failure != nullptr) failure_ = failure;
    running_ = false;
    done_.notify_one();
  }
}

}  // namespace tinhop::storage
