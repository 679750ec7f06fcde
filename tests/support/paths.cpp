#include "support/paths.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

namespace tinhop::test {

std::filesystem::path data_dir() {
  return TINHOP_TEST_DATA_DIR;
}

std::filesystem::path binary_dir() {
  return TINHOP_BINARY_DIR;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  INFO("reading " << path);
  REQUIRE(in.good());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::optional<std::filesystem::path> shared_path(const std::string& relative) {
  std::filesystem::path path = std::filesystem::path(TINHOP_SHARED_DIR) / relative;
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::nullopt;
  return path;
}

}  // namespace tinhop::test
