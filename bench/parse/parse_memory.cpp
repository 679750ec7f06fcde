// Peak memory of one parse_feed call relative to the input size (the limit: 4x).
//
//   parse_memory FILE...
//
// For each file (run one file per process for a clean peak): input bytes, peak resident
// set growth during the parse, their ratio, and the outcome.
#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "tinhop/parsers/feed.hpp"

namespace {

long peak_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    std::ifstream stream(argv[i], std::ios::binary);
    std::ostringstream buffer;
    buffer << stream.rdbuf();
    const std::string bytes = std::move(buffer).str();
    const long before = peak_kib();
    const tinhop::ParseOutcome outcome = tinhop::parse_feed(bytes, {});
    const long after = peak_kib();
    const double growth = static_cast<double>(after - before) * 1024.0;
    std::printf(
        "{\"file\":\"%s\",\"bytes\":%zu,\"peak_growth_bytes\":%.0f,\"ratio\":%.2f,\"outcome\":\"%s\"}\n",
        argv[i], bytes.size(), growth, growth / static_cast<double>(bytes.size()),
        outcome ? "parsed" : tinhop::error_name(outcome.failure().error));
  }
  return 0;
}
