#include "tinhop/scheduler/host_gate.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using tinhop::scheduler::GateLimits;
using tinhop::scheduler::HostGate;

namespace {
const HostGate::TimePoint t0 = HostGate::TimePoint(1h);
}

TEST_CASE("two requests per host run at once - the third waits for a slot") {
  HostGate gate(GateLimits{.per_host = 2, .global = 64, .min_spacing = 0ms});
  CHECK(gate.try_acquire("a.vn", t0));
  CHECK(gate.try_acquire("a.vn", t0));
  CHECK_FALSE(gate.try_acquire("a.vn", t0));
  CHECK(gate.try_acquire("b.vn", t0));  // another host is not delayed
  CHECK(gate.running("a.vn") == 2);
  gate.release("a.vn");
  CHECK(gate.try_acquire("a.vn", t0));
  CHECK(gate.running() == 3);
}

TEST_CASE("starts to one host are spaced") {
  HostGate gate(GateLimits{.per_host = 4, .global = 64, .min_spacing = 250ms});
  CHECK(gate.try_acquire("a.vn", t0));
  CHECK_FALSE(gate.try_acquire("a.vn", t0 + 100ms));
  CHECK(gate.next_start("a.vn", t0 + 100ms) == t0 + 250ms);
  CHECK(gate.try_acquire("a.vn", t0 + 250ms));
  CHECK(gate.next_start("other.vn", t0) == t0);
}

TEST_CASE("the global limit caps all hosts together") {
  HostGate gate(GateLimits{.per_host = 2, .global = 3, .min_spacing = 0ms});
  CHECK(gate.try_acquire("a", t0));
  CHECK(gate.try_acquire("b", t0));
  CHECK(gate.try_acquire("c", t0));
  CHECK(gate.saturated());
  CHECK_FALSE(gate.try_acquire("d", t0));
  gate.release("b");
  CHECK(gate.try_acquire("d", t0));
}

TEST_CASE("a slowed host gets one request at a time - widely spaced - until the pause ends") {
  HostGate gate(GateLimits{.per_host = 2, .global = 64, .min_spacing = 0ms, .slowed_spacing = 5s});
  gate.slow_down("a.vn", t0 + 60s);
  CHECK(gate.try_acquire("a.vn", t0));
  CHECK_FALSE(gate.try_acquire("a.vn", t0 + 1s));  // one at a time
  gate.release("a.vn");
  CHECK_FALSE(gate.try_acquire("a.vn", t0 + 1s));  // spacing
  CHECK(gate.try_acquire("a.vn", t0 + 5s));
  gate.release("a.vn");
  CHECK(gate.try_acquire("a.vn", t0 + 61s));
  CHECK(gate.try_acquire("a.vn", t0 + 61s));  // back to two at once
}

TEST_CASE("releasing an unknown host changes nothing") {
  HostGate gate;
  gate.release("never.vn");
  CHECK(gate.running() == 0);
}
