// Store::ChangeListener for PostgreSQL: LISTEN on a connection of its own, the socket waited
// on with poll() beside a pipe that wakes the thread to stop. Every bump_change() NOTIFYs in
// its transaction (sources.cpp), so a notification means a commit readers may see; its
// payload names the sending node.
#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <thread>

#include "pq.hpp"
#include "tinhop/storage/change_listener.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::storage {
namespace {

using Clock = std::chrono::steady_clock;

std::string first_line(const char* message) {
  std::string text = message != nullptr ? message : "";
  if (const auto end = text.find('\n'); end != std::string::npos) text.resize(end);
  return text;
}

class PostgresChangeListener final : public ChangeListener {
 public:
  PostgresChangeListener(std::string conninfo, ChangeHooks hooks, std::string node)
      : conninfo_(std::move(conninfo)),
        target_(pg::describe(conninfo_)),
        hooks_(std::move(hooks)),
        node_(std::move(node)) {
    if (::pipe2(wake_, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
    thread_ = std::thread([this] { run(); });
  }
  PostgresChangeListener(const PostgresChangeListener&) = delete;
  PostgresChangeListener& operator=(const PostgresChangeListener&) = delete;

  ~PostgresChangeListener() override {
    const char stop = 0;
    while (::write(wake_[1], &stop, 1) < 0 && errno == EINTR) {
    }
    thread_.join();
    if (conn_ != nullptr) PQfinish(conn_);
    ::close(wake_[0]);
    ::close(wake_[1]);
  }

 private:
  enum class Wait { ready, timed_out, stopping };

  // Until `fd` has `events`, `deadline` passes or the owner stops the listener.
  Wait wait(int fd, short events, Clock::time_point deadline) const {
    for (;;) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return Wait::timed_out;
      pollfd fds[2] = {{wake_[0], POLLIN, 0}, {fd, events, 0}};
      const int ready = ::poll(fds, fd < 0 ? 1 : 2, static_cast<int>(std::min<long long>(left, 60'000)));
      if (ready < 0 && errno != EINTR) return Wait::stopping;  // poll itself failed: nothing to wait on
      if (ready <= 0) continue;
      if (fds[0].revents != 0) return Wait::stopping;
      if (fds[1].revents != 0) return Wait::ready;
    }
  }

  struct Attempt {
    bool stopping = false;
    std::optional<std::string> failure;  // why there is no connection
  };

  // A new connection listening on the channel. Connects without blocking, so that stopping
  // never waits for an unreachable server.
  Attempt connect() {
    // TCP keepalives notice a server that vanished without closing the connection (a
    // machine gone, a cable pulled): a notification would never come, nor an error.
    const pg::ConnectParams params(conninfo_, {{"keepalives", "1"},
                                               {"keepalives_idle", "10"},
                                               {"keepalives_interval", "5"},
                                               {"keepalives_count", "3"}});
    conn_ = PQconnectStartParams(params.keywords.data(), params.values.data(), 1);
    if (conn_ == nullptr) return {false, "out of memory"};
    const auto deadline = Clock::now() + std::chrono::seconds(pg::kConnectTimeoutSeconds);
    auto state = PGRES_POLLING_WRITING;
    while (PQstatus(conn_) != CONNECTION_BAD && state != PGRES_POLLING_OK && state != PGRES_POLLING_FAILED) {
      const Wait waited = wait(PQsocket(conn_), state == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);
      if (waited == Wait::stopping) return {true, std::nullopt};
      if (waited == Wait::timed_out) return {false, drop("cannot connect to " + target_ + ": timed out")};
      state = PQconnectPoll(conn_);
    }
    if (PQstatus(conn_) != CONNECTION_OK)
      return {false, drop("cannot connect to " + target_ + ": " + first_line(PQerrorMessage(conn_)))};
    PGresult* listening = PQexec(conn_, ("LISTEN " + std::string(pg::kChangesChannel)).c_str());
    const bool ok = PQresultStatus(listening) == PGRES_COMMAND_OK;
    PQclear(listening);
    if (!ok) return {false, drop("cannot listen on " + target_ + ": " + first_line(PQerrorMessage(conn_)))};
    return {};
  }

  // Closes the connection; returns `reason`.
  std::string drop(std::string reason) {
    PQfinish(conn_);
    conn_ = nullptr;
    return reason;
  }

  void lost(std::string reason) {
    if (!reachable_) return;
    reachable_ = false;
    if (hooks_.connection) hooks_.connection(std::move(reason));
  }

  void run() {
    pg::Backoff backoff;
    for (;;) {
      if (conn_ == nullptr) {
        Attempt attempt = connect();
        if (attempt.stopping) return;
        if (attempt.failure) {
          lost(std::move(*attempt.failure));
          if (wait(-1, 0, backoff.failed(Clock::now())) == Wait::stopping) return;
          continue;
        }
        backoff.succeeded();
        if (!reachable_) {
          reachable_ = true;
          if (hooks_.connection) hooks_.connection(std::nullopt);
        }
        if (hooks_.changed) hooks_.changed();
      }
      if (wait(PQsocket(conn_), POLLIN, Clock::time_point::max()) == Wait::stopping) return;
      if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) == CONNECTION_BAD) {
        lost(drop("lost the connection to " + target_ + ": " + first_line(PQerrorMessage(conn_))));
        continue;
      }
      bool heard = false;
      while (PGnotify* notice = PQnotifies(conn_)) {
        // This node's own commits: its writer told its readers already.
        if (node_.empty() || node_ != notice->extra) heard = true;
        PQfreemem(notice);
      }
      if (heard && hooks_.changed) hooks_.changed();
    }
  }

  const std::string conninfo_;
  const std::string target_;  // the server without its password, for the reasons given
  const ChangeHooks hooks_;
  const std::string node_;  // the commits not to tell: this node's own
  int wake_[2] = {-1, -1};
  pg_conn* conn_ = nullptr;  // the listener thread's alone
  bool reachable_ = true;    // as Store::open left it; the thread's alone
  std::thread thread_;
};

}  // namespace

std::unique_ptr<ChangeListener> ChangeListener::start(const std::string& location, ChangeHooks hooks,
                                                      std::string node) {
  if (!is_postgres_location(location)) return nullptr;
  return std::make_unique<PostgresChangeListener>(location, std::move(hooks), std::move(node));
}

}  // namespace tinhop::storage
