// Sources that follow links: after a listing page is parsed, the page of each new item is
// fetched once and its main text becomes the item's content. The stage sits between the
// parser and the writer: the lookup of what is new (read only) and the fetches run on the
// event loop, under the poller's per-host limits; the extraction runs on a worker thread.
// An article that cannot be fetched or read never holds its item back: the item is stored
// without content and the failure logged.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "tinhop/fetch/client.hpp"
#include "tinhop/fetch/poller.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::daemon {

struct FollowOptions {
  std::size_t per_poll = 10;  // article fetches per source and poll; the rest wait for later polls
  fetch::Limits limits;       // per article (set_article_limits: 2 MiB, 30 s by default)
  std::size_t parallel = 2;   // a poll's articles fetched at once (the host gate still applies)
  // A poll's articles all start within this; the ones left wait for the next poll.
  std::chrono::seconds round_deadline{120};
  std::size_t max_content_bytes = 256 * 1024;  // an article's extracted body
};

// Article limits derived from the poll limits: the same connect and header deadlines,
// `max_bytes` on the wire and decoded, `timeout` for the whole fetch.
fetch::Limits article_limits(fetch::Limits poll, std::size_t max_bytes, std::chrono::milliseconds timeout);

class ArticleFollower {
 public:
  // Starts one GET under the poller's politeness (Poller::fetch_linked).
  using Fetch = std::function<void(fetch::Request, fetch::Callback)>;

  // `loop_store` is used on the event loop only (one read per poll); `fetch` is called there.
  ArticleFollower(boost::asio::any_io_executor loop, storage::Store& loop_store, Fetch fetch,
                  FollowOptions options);
  ~ArticleFollower();
  ArticleFollower(const ArticleFollower&) = delete;
  ArticleFollower& operator=(const ArticleFollower&) = delete;

  // On the event loop: fetches the articles of `processed`'s pending entries, sets their
  // content and processed.linked (one state per entry), then calls `done` on the loop.
  void follow(const fetch::PollSource& source, fetch::Processed processed,
              std::function<void(fetch::Processed)> done);
  // For the rounds that start from now on (a configuration reload).
  void set_options(FollowOptions options) { options_ = options; }
  // Shutdown: no article fetch starts any more; rounds in progress end with what they have.
  void stop();

 private:
  struct Round;
  void launch(const std::shared_ptr<Round>& round);
  void on_fetched(const std::shared_ptr<Round>& round, std::size_t entry, fetch::Response response);
  void settle(const std::shared_ptr<Round>& round, std::size_t entry, std::optional<std::string> content,
              const std::string& failure);
  bool recently_tried(std::int64_t source_id, const std::string& link);

  boost::asio::any_io_executor loop_;
  storage::Store& store_;
  Fetch fetch_;
  FollowOptions options_;
  boost::asio::thread_pool extractors_{1};
  bool stopped_ = false;
  // Links tried lately per source: a poll that starts before the previous one's results are
  // committed must not fetch its articles again.
  std::unordered_map<std::int64_t, std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>>>
      recent_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace tinhop::daemon
