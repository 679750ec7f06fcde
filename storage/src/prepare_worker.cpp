#include "prepare_worker.hpp"

namespace tinhop::storage {

PrepareWorker::PrepareWorker() : thread_([this] { run(); }) {}

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
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return completed_ > index || failure_ != nullptr; });
  if (failure_ != nullptr && completed_ <= index) std::rethrow_exception(failure_);
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
    while (completed_ < count_ && !abandon_) {
      const std::size_t index = completed_;
      lock.unlock();
      std::exception_ptr failure;
      try {
        job_(index);
      } catch (...) {
        failure = std::current_exception();
      }
      lock.lock();
      if (failure != nullptr) {
        failure_ = failure;
        break;
      }
      ++completed_;
      done_.notify_one();
    }
    running_ = false;
    done_.notify_one();
  }
}

}  // namespace tinhop::storage
