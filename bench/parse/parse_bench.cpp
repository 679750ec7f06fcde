// Parse benchmark: tinhop::parse_feed (charset, recovery, mapping, normalization) against
// pugixml load_buffer + a walk of every node over the same preloaded bytes, in one run.
//
//   parse_bench CORPUS_DIR [REPEAT]
//
// Every *.xml file of CORPUS_DIR is read into memory before timing. Each repeat prints a
// JSON line; the last line is the median repeat with the ratio to pugixml.
// bench/parse/run.sh adds python3-feedparser to the same run.
#include <pugixml.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tinhop/parsers/feed.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The reference walk of ../shared/bench/parse_bench.cpp: every node, attribute and text.
std::size_t walk(const pugi::xml_node& root) {
  std::size_t seen = 0;
  pugi::xml_node node = root.first_child();
  while (node) {
    if (node.type() == pugi::node_element) {
      ++seen;
      for (pugi::xml_attribute attr = node.first_attribute(); attr; attr = attr.next_attribute()) ++seen;
    } else if (node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata) {
      seen += std::strlen(node.value());
    }
    if (node.first_child()) {
      node = node.first_child();
      continue;
    }
    while (node && !node.next_sibling() && node != root) node = node.parent();
    if (!node || node == root) break;
    node = node.next_sibling();
  }
  return seen;
}

struct Run {
  double pugi_seconds = 0;
  double tinhop_seconds = 0;
  std::size_t items = 0;
  std::size_t failures = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [REPEAT]\n", argv[0]);
    return 2;
  }
  const int repeat = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  std::vector<std::filesystem::path> names;
  for (const auto& entry : std::filesystem::directory_iterator(argv[1])) {
    if (entry.path().extension() == ".xml") names.push_back(entry.path());
  }
  std::sort(names.begin(), names.end());
  std::vector<std::string> files;
  std::size_t total = 0;
  for (const auto& name : names) {
    std::ifstream stream(name, std::ios::binary);
    std::ostringstream buffer;
    buffer << stream.rdbuf();
    files.push_back(std::move(buffer).str());
    total += files.back().size();
  }
  if (files.empty()) {
    std::fprintf(stderr, "no *.xml in %s\n", argv[1]);
    return 2;
  }
  tinhop::ParseContext context;
  context.time_zone = "Asia/Ho_Chi_Minh";
  context.date_order = tinhop::DateOrder::dmy;
  std::vector<Run> runs;
  const double mb = static_cast<double>(total) / 1e6;
  for (int r = 0; r < repeat; ++r) {
    Run run;
    std::size_t checksum = 0;
    for (const std::string& file : files) {
      const auto start = Clock::now();
      pugi::xml_document document;
      if (!document.load_buffer(file.data(), file.size())) ++run.failures;
      checksum += walk(document);
      run.pugi_seconds += seconds_since(start);
    }
    for (const std::string& file : files) {
      const auto start = Clock::now();
      const tinhop::ParseOutcome outcome = tinhop::parse_feed(file, context);
      if (outcome) {
        run.items += outcome.result().feed.items.size();
      } else {
        ++run.failures;
      }
      run.tinhop_seconds += seconds_since(start);
    }
    std::printf(
        "{\"run\":%d,\"files\":%zu,\"bytes\":%zu,\"items\":%zu,\"failures\":%zu,\"walk_checksum\":%zu,"
        "\"pugixml_parse_walk_MB_s\":%.1f,\"tinhop_parse_MB_s\":%.1f,\"ratio_to_pugixml\":%.3f}\n",
        r, files.size(), total, run.items, run.failures, checksum, mb / run.pugi_seconds,
        mb / run.tinhop_seconds, run.pugi_seconds / run.tinhop_seconds);
    std::fflush(stdout);
    runs.push_back(run);
  }
  std::sort(runs.begin(), runs.end(),
            [](const Run& a, const Run& b) { return a.tinhop_seconds < b.tinhop_seconds; });
  const Run& median = runs[runs.size() / 2];
  std::printf(
      "{\"median\":{\"pugixml_parse_walk_MB_s\":%.1f,\"tinhop_parse_MB_s\":%.1f,\"ratio_to_pugixml\":%.3f,"
      "\"items\":%zu,\"failures\":%zu}}\n",
      mb / median.pugi_seconds, mb / median.tinhop_seconds, median.pugi_seconds / median.tinhop_seconds,
      median.items, median.failures);
  return 0;
}
