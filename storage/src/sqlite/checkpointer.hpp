// WAL checkpoints off the writer's commit path.
//
// SQLite's automatic checkpoint runs inside the commit that crosses its threshold: the
// writer copies the WAL's pages into the database file and syncs both before it can start
// the next transaction, about a tenth of the cost of storing a new item. A Checkpointer
// replaces that hook on the writer's connection with one that only wakes a thread of its
// own, which checkpoints on a second connection (PASSIVE: it never blocks the writer or a
// reader). Durability is unchanged: an item is stored when its commit reaches the WAL, and
// the checkpoint syncs the WAL before it copies a page, as the writer's own one did.
//
// The WAL stays bounded: when the thread falls behind (the disk is slower than the writer,
// or a burst of polls commits faster than a loaded machine copies) and the WAL passes
// kWriterFrames, the commit that sees it checkpoints on the writer and waits, within the
// writer's busy timeout, for readers of older pages, so that the next transaction starts
// the WAL over. A passive checkpoint there could not: it stops at the oldest reader's
// snapshot and at a copy the thread has in progress, and the WAL grew past the bound in
// the fault soak. After the WAL starts over, its file is cut back to kFileLimitBytes.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace tinhop::storage {

class Checkpointer {
 public:
  // WAL pages not yet copied after which the thread checkpoints (32 MiB at 4 KiB pages).
  // Pages that every transaction rewrites (index tails, recent link entries, the full-text
  // index) are copied once per checkpoint: at SQLite's 1,000 a checkpoint followed nearly
  // every 1,000-item transaction of ingest_bench and copied them each time.
  static constexpr int kThreadFrames = 8000;
  // WAL pages after which the writer checkpoints itself: 30,000 frames of 4 KiB pages and
  // their 24-byte headers are 118 MiB, so the WAL stays under 128 MiB unless the commit
  // that crosses the line writes 10 MiB on its own.
  static constexpr int kWriterFrames = 30000;
  // The WAL file's size once it starts over (SQLite's journal_size_limit): what the
  // thread lets it grow to between its checkpoints, instead of the largest it ever was.
  static constexpr std::int64_t kFileLimitBytes = std::int64_t{32} << 20;
  // SQLite's own threshold, which the writer gets back when the thread stops.
  static constexpr int kSqliteFrames = 1000;

  // Takes over the checkpoints of `writer`, a WAL-mode connection to the file `path`, and
  // starts the thread. Throws sql::SqlFailure when the second connection cannot be opened.
  Checkpointer(sqlite3* writer, const std::string& path);
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;
  // Gives the writer back its automatic checkpoints and stops the thread after the
  // checkpoint in progress.
  ~Checkpointer();

  // Checkpoints the thread has completed (for tests).
  std::int64_t completed() const;

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int frames);
  void run();

  sqlite3* writer_;
  sqlite3* own_ = nullptr;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool wanted_ = false;
  bool stopping_ = false;
  std::int64_t completed_ = 0;
  // WAL pages the last checkpoint copied: the WAL only grows until SQLite starts it over,
  // so a commit compares its size with this to know how much is left to copy.
  std::atomic<int> copied_ = 0;
  int last_frames_ = 0;  // the WAL's size at the last commit (the writer's thread only)
  std::thread thread_;   // last: starts once everything above is ready
};

}  // namespace tinhop::storage
