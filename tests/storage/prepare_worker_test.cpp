// The writer's helper thread: jobs run in order, a wait returns once its job ran, a
// failure reaches the writer at the job that threw, and finish() ends a run early.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "../../storage/src/prepare_worker.hpp"

using tinhop::storage::PrepareRun;
using tinhop::storage::PrepareWorker;

TEST_CASE("prepare worker: every job runs once, in order, and a wait sees its result", "[storage][worker]") {
  PrepareWorker worker;
  for (int round = 0; round < 3; ++round) {
    std::vector<int> results(100, -1);
    std::vector<int> order;
    worker.start(results.size(), [&](std::size_t i) {
      order.push_back(static_cast<int>(i));
      results[i] = static_cast<int>(i) * 2 + round;
    });
    PrepareRun run(&worker);
    for (std::size_t i = 0; i < results.size(); ++i) {
      worker.wait(i);
      CHECK(results[i] == static_cast<int>(i) * 2 + round);
    }
    worker.finish();
    REQUIRE(order.size() == 100);
    for (int i = 0; i < 100; ++i) CHECK(order[static_cast<std::size_t>(i)] == i);
  }
}

TEST_CASE("prepare worker: a job's exception is rethrown by the wait for it, not before",
          "[storage][worker]") {
  PrepareWorker worker;
  std::atomic<int> ran{0};
  worker.start(10, [&](std::size_t i) {
    if (i == 4) throw std::runtime_error("job 4 failed");
    ++ran;
  });
  PrepareRun run(&worker);
  for (std::size_t i = 0; i < 4; ++i) worker.wait(i);
  CHECK_THROWS_WITH(worker.wait(4), "job 4 failed");
  CHECK_THROWS_WITH(worker.wait(9), "job 4 failed");
  worker.finish();
  CHECK(ran == 4);  // nothing after the failure ran
}

TEST_CASE("prepare worker: finish stops a run after the job in progress", "[storage][worker]") {
  PrepareWorker worker;
  std::atomic<int> ran{0};
  {
    PrepareRun run(&worker);
    worker.start(1000, [&](std::size_t) {
      ++ran;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    worker.wait(0);
  }  // the scope's end abandons the rest
  CHECK(ran >= 1);
  CHECK(ran < 1000);
  // The worker takes a new run afterwards.
  std::vector<int> results(3, 0);
  worker.start(3, [&](std::size_t i) { results[i] = 7; });
  worker.wait(2);
  worker.finish();
  CHECK(results == std::vector<int>{7, 7, 7});
}
