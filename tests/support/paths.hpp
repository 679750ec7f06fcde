// Where tests find their fixtures and the optional shared corpora.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace tinhop::test {

// tests/data/ in the source tree.
std::filesystem::path data_dir();

// The file's bytes; fails the test when it cannot be read.
std::string read_file(const std::filesystem::path& path);

// ../shared/<relative> beside the clone, or nullopt when ../shared is absent (a user's
// fresh clone). Callers skip with a message then: see TINHOP_REQUIRE_SHARED.
std::optional<std::filesystem::path> shared_path(const std::string& relative);

// The build tree's top folder.
std::filesystem::path binary_dir();

}  // namespace tinhop::test

// Skips the rest of a test case, with a message, when ../shared is absent.
#define TINHOP_REQUIRE_SHARED(var, relative)                                              \
  const auto var##_opt = ::tinhop::test::shared_path(relative);                           \
  if (!var##_opt) {                                                                       \
    WARN("skipped: ../shared/" << (relative) << " is absent (it exists only beside CI)"); \
    return;                                                                               \
  }                                                                                       \
  const std::filesystem::path& var = *var##_opt
