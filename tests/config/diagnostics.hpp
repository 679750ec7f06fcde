// Every diagnostic of a configuration document named "t.toml", as the CLI prints them.
#pragma once

#include <string>
#include <vector>

#include "tinhop/config/config.hpp"

namespace tinhop::test {

inline std::vector<std::string> diagnostics_of(const char* toml) {
  config::LoadResult result = config::parse_config(toml, "t.toml");
  std::vector<std::string> out;
  for (const auto& diagnostic : result.diagnostics) out.push_back(diagnostic.to_string());
  return out;
}

}  // namespace tinhop::test
