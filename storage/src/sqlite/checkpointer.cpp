#include "checkpointer.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <system_error>

#include "sqlite.hpp"

namespace tinhop::storage {

Checkpointer::Checkpointer(sqlite3* writer, const std::string& path) : writer_(writer) {
  const int rc = sqlite3_open_v2(path.c_str(), &own_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = own_ != nullptr ? sqlite3_errmsg(own_) : sqlite3_errstr(rc);
    sqlite3_close(own_);
    throw sql::SqlFailure{Error{Errc::io, "checkpoint connection to " + path + ": " + message}};
  }
  // The checkpoint's syncs follow this setting: the WAL before the copy, the file after.
  sqlite3_exec(own_, "PRAGMA synchronous = NORMAL", nullptr, nullptr, nullptr);
  try {
    thread_ = std::thread([this] { run(); });
  } catch (const std::system_error& error) {
    sqlite3_close(own_);
    throw sql::SqlFailure{Error{Errc::internal, std::string("checkpoint thread: ") + error.what()}};
  }
  sqlite3_exec(writer_, ("PRAGMA journal_size_limit = " + std::to_string(kFileLimitBytes)).c_str(), nullptr,
               nullptr, nullptr);
  sqlite3_wal_hook(writer_, &Checkpointer::on_commit, this);
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_autocheckpoint(writer_, kSqliteFrames);  // replaces on_commit
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  sqlite3_close(own_);
}

std::int64_t Checkpointer::completed() const {
  std::lock_guard lock(mutex_);
  return completed_;
}

int Checkpointer::on_commit(void* self, sqlite3* db, const char* schema, int frames) {
  auto* checkpointer = static_cast<Checkpointer*>(self);
  if (frames >= kWriterFrames) {
    // Waits (the writer's busy handler) for the thread's copy in progress and for readers
    // of older pages; SQLITE_BUSY after the busy timeout leaves it to the next commit.
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    return SQLITE_OK;
  }
  // A WAL smaller than at the last commit was started over: nothing of it is copied yet.
  if (frames < checkpointer->last_frames_) checkpointer->copied_ = 0;
  checkpointer->last_frames_ = frames;
  if (frames - std::min(frames, checkpointer->copied_.load()) >= kThreadFrames) {
    {
      std::lock_guard lock(checkpointer->mutex_);
      checkpointer->wanted_ = true;
    }
    checkpointer->wake_.notify_one();
  }
  return SQLITE_OK;  // the commit succeeded whatever the checkpoint did
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return wanted_ || stopping_; });
    if (stopping_) return;
    wanted_ = false;
    lock.unlock();
    // A failure (I/O, a reader holding old pages) leaves the pages in the WAL for the next
    // attempt, and the writer's own checkpoint bounds the WAL meanwhile.
    int copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(own_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, &copied);
    copied_ = copied;
    lock.lock();
    if (rc == SQLITE_OK) ++completed_;
  }
}

}  // namespace tinhop::storage
