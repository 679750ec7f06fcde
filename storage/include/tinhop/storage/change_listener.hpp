// Other nodes' commits, heard as they happen: a listener on the database several daemons
// share (PostgreSQL's LISTEN/NOTIFY). SQLite has none: one machine, whose writer tells its
// readers itself.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace tinhop::storage {

// What a ChangeListener tells its owner, from the listener's own thread.
struct ChangeHooks {
  // A commit that changed what readers may see, by another node (or a process without a
  // node name, such as the CLI): the listener's own node tells its readers itself. Also
  // once on every connection made, the first included: commits made while away went
  // unheard.
  std::function<void()> changed;
  // The listener lost the database (the reason, without a password) or, nullopt, has it
  // again. Called on each change of state only.
  std::function<void(std::optional<std::string> lost)> connection;
};

// Hears every node's commits on a database several daemons share: PostgreSQL's
// LISTEN/NOTIFY on a connection of its own, waited on by a thread of its own, so a reader
// learns of a commit within milliseconds instead of asking for last_change(). After a
// drop it connects again with backoff (250 ms doubling to 5 s). Stops in its destructor.
class ChangeListener {
 public:
  // A running listener; nullptr for a SQLite location (one machine: its writer tells its
  // readers directly). A database unreachable now is retried as after a drop. `node`: the
  // name this process's stores were opened with (OpenOptions::node); their commits are not
  // told. Empty: every commit is.
  static std::unique_ptr<ChangeListener> start(const std::string& location, ChangeHooks hooks,
                                               std::string node = {});
  virtual ~ChangeListener() = default;
};

}  // namespace tinhop::storage
