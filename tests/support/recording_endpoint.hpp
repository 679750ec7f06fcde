// Test helper: one path of a TestHttpServer that keeps every request it gets and answers
// with the statuses queued in `statuses`, then with `then` (a hook, a hub, a webhook).
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "support/test_http_server.hpp"

namespace tinhop::test {

struct RecordingEndpoint {
  explicit RecordingEndpoint(const std::string& path, int then = 204) {
    server.on(path, [this, then](const HttpRequest& request) {
      std::lock_guard lock(mutex);
      requests.push_back(request);
      int status = then;
      if (!statuses.empty()) {
        status = statuses.front();
        statuses.erase(statuses.begin());
      }
      return Script{.status = status};
    });
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return requests.size();
  }

  TestHttpServer server;
  std::mutex mutex;
  std::vector<HttpRequest> requests;  // read after the requests are counted
  std::vector<int> statuses;          // set before the first request
};

}  // namespace tinhop::test
