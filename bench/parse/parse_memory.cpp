// Peak memory of one parse_feed call relative to the input size (the limit: 4x).
//
//   parse_memory FILE...
//
// For each file (run one file per process for a clean peak): input bytes, peak resident
// set growth during the parse, their ratio, and the outcome: the refusal's message, or the
// items kept and the most the parse's memory budget held (ParseLimits::memory_ratio).
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
    const double input = static_cast<double>(bytes.size());
    std::printf("{\"file\":\"%s\",\"bytes\":%zu,\"peak_growth_bytes\":%.0f,\"ratio\":%.2f,", argv[i],
                bytes.size(), growth, growth / input);
    if (!outcome) {
      std::printf("\"outcome\":\"%s\",\"message\":\"%s\"}\n", tinhop::error_name(outcome.failure().error),
                  outcome.failure().message.c_str());
      continue;
    }
    // The budget's own count beside the resident figure: what the parse charged at most.
    const tinhop::ParseResult& result = outcome.result();
    std::printf("\"outcome\":\"parsed\",\"items\":%zu,\"charged_peak_ratio\":%.2f,\"warnings\":%zu}\n",
                result.feed.items.size(), static_cast<double>(result.memory_peak) / input,
                result.warnings.size());
  }
  return 0;
}
