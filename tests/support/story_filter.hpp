// Test helper: a storage::StoryFilter built one filter at a time.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tinhop/storage/store.hpp"

namespace tinhop::test {

struct Filter {
  storage::StoryFilter filter;
  Filter& sources(std::vector<std::string> urls) {
    filter.source_urls = std::move(urls);
    return *this;
  }
  Filter& categories(std::vector<std::string> names) {
    filter.categories = std::move(names);
    return *this;
  }
  Filter& languages(std::vector<std::string> tags) {
    filter.languages = std::move(tags);
    return *this;
  }
  Filter& since(Instant t) {
    filter.since = t;
    return *this;
  }
  Filter& min_publishers(std::int64_t n) {
    filter.min_publishers = n;
    return *this;
  }
  operator storage::StoryFilter() const { return filter; }  // NOLINT: a builder reads as its result
};

}  // namespace tinhop::test
