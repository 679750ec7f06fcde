// Every query the publisher runs must use an index: a full scan of a table grows with the
// store and would break the "latest 100 of 1M items in 5 ms" budget.
#include <sstream>

#include "support.hpp"

using tinhop::test::open_memory;

TEST_CASE("every publisher query is answered from an index") {
  auto store = open_memory();
  auto plans = store.explain_read_queries();
  REQUIRE(plans.has_value());
  REQUIRE(plans->size() == 19);
  for (const auto& plan : *plans) {
    INFO(plan);
    std::istringstream lines(plan);
    std::string line;
    std::getline(lines, line);  // the query's name
    int searches = 0;
    while (std::getline(lines, line)) {
      const bool full_scan =
          line.find("SCAN ") != std::string::npos && line.find("VIRTUAL TABLE") == std::string::npos;
      CHECK_FALSE(full_scan);
      if (line.find("SEARCH") != std::string::npos || line.find("VIRTUAL TABLE") != std::string::npos)
        ++searches;
    }
    CHECK(searches > 0);
  }
}
