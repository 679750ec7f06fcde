#include "store_worker.hpp"

namespace tinhop::daemon {

StoreWorker::StoreWorker(storage::Store store) : store_(std::move(store)), thread_([this] { run(); }) {}

StoreWorker::~StoreWorker() {
  stop();
}

void StoreWorker::post(std::function<void(storage::Store&)> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void StoreWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void StoreWorker::run() {
  for (;;) {
    std::function<void(storage::Store&)> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job(store_);
  }
}

}  // namespace tinhop::daemon
