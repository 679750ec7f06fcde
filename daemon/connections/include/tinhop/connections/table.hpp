// The connections of one listener, so that idle sockets cannot keep real clients out.
//
// A connection is *waiting* from the moment it is admitted until its request headers are
// complete, and again after each response while it is kept alive; it is *busy* in between
// (reading its body, being answered, being written to). At the cap, a new connection is
// admitted by closing the connection that has been waiting the longest; a busy one is
// never closed for this. With a per-peer limit, a peer at its limit gets no more.
//
//   Table table({.max_connections = 1024, .max_per_peer = 0});
//   auto admission = table.admit(peer_key(address), [weak] { /* post a close to it */ });
//   if (!admission.id) { /* refused: close the new socket */ }
//   table.waiting(id);              // before reading a request
//   if (!table.busy(id)) close();   // once its headers are complete
//   table.release(id);              // when it closes
//
// Thread-safe; the lock is never held while a close callback runs.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>

namespace tinhop::connections {

struct Limits {
  std::size_t max_connections = 1024;
  std::size_t max_per_peer = 0;  // 0: no limit
};

class Table {
 public:
  using Id = std::uint64_t;

  explicit Table(Limits limits) : limits_(limits) {}

  struct Admission {
    enum class Outcome {
      admitted,           // a free slot
      admitted_evicting,  // the longest-waiting connection was asked to close for it
      refused_full,       // at the cap and every connection busy
      refused_peer,       // its peer is at max_per_peer
    } outcome = Outcome::refused_full;
    Id id = 0;  // 0 when refused
  };
  // Admits a waiting connection from `peer` ("": not counted per peer, e.g. a Unix socket).
  // `close` asks it to close; it is called at most once, if it is ever chosen to give way,
  // from the thread that admits the newcomer, after the lock is released.
  Admission admit(const std::string& peer, std::function<void()> close);
  // The connection waits for a request: it may give way from now on, after those that
  // have waited longer.
  void waiting(Id id);
  // Its request headers are complete. False when it was already chosen to give way: the
  // caller closes it.
  bool busy(Id id);
  // It closed (any number of calls; unknown ids are ignored).
  void release(Id id);

  std::size_t size() const;
  std::uint64_t evicted() const;  // connections closed to admit others, since start

 private:
  struct Entry {
    std::string peer;
    std::function<void()> close;
    std::uint64_t waiting_since = 0;  // order of becoming waiting; 0 while busy
  };
  void forget(std::map<Id, Entry>::iterator it);  // lock held

  const Limits limits_;
  mutable std::mutex mutex_;
  std::map<Id, Entry> entries_;
  std::set<std::pair<std::uint64_t, Id>> waiting_;  // oldest first
  std::unordered_map<std::string, std::size_t> per_peer_;
  Id next_id_ = 1;
  std::uint64_t next_order_ = 1;
  std::uint64_t evicted_ = 0;
};

// The key a client's address is limited by: the address itself for IPv4 (and IPv4-mapped
// IPv6), its /64 for IPv6, since one host is commonly given a whole /64.
std::string peer_key(const boost::asio::ip::address& address);

}  // namespace tinhop::connections
