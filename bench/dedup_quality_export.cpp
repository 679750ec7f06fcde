// Runs a corpus through the daemon's parse -> dedup -> storage path and writes the
// clusters in score_dedup.py's PRED format. Used by bench/dedup-quality.
//
//   dedup_quality_export CORPUS_DIR OUT.json [--db PATH] [--threshold S] [--title-only-threshold S]
//                        [--window-hours H]
//
// Every CORPUS_DIR/*.xml file is one file:// source; files are ingested in name order,
// each as the poller would: parse_feed with the file's url, then Store::ingest.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tinhop/parsers/feed.hpp"
#include "tinhop/storage/store.hpp"

namespace fs = std::filesystem;
using namespace tinhop;

namespace {

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: dedup_quality_export CORPUS_DIR OUT.json [--db PATH] [--threshold S] "
                 "[--title-only-threshold S] "
                 "[--window-hours H]\n";
    return 2;
  }
  const fs::path corpus = argv[1];
  const std::string out_path = argv[2];
  std::string db_path = ":memory:";
  storage::OpenOptions options;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--db") {
      db_path = argv[i + 1];
    } else if (flag == "--threshold") {
      options.dedup.threshold = std::stod(argv[i + 1]);
    } else if (flag == "--title-only-threshold") {
      options.dedup.title_only_threshold = std::stod(argv[i + 1]);
    } else if (flag == "--window-hours") {
      options.dedup.window = std::chrono::hours{std::stol(argv[i + 1])};
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (db_path != ":memory:") {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db_path + suffix);
  }
  auto store = storage::Store::open(db_path, options);
  if (!store) {
    std::cerr << "open: " << store.error().message << "\n";
    return 1;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(corpus)) {
    if (entry.path().extension() == ".xml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());

  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto started = std::chrono::steady_clock::now();
  std::map<std::int64_t, std::vector<std::pair<std::string, std::size_t>>>
      clusters;  // cluster -> (file, index)
  std::size_t items = 0;
  std::size_t parse_failures = 0;
  for (const auto& file : files) {
    storage::SourceSettings settings;
    settings.url = "file://" + fs::absolute(file).string();
    settings.categories = {"corpus"};
    auto id = store->add_source(settings, now);
    if (!id) {
      std::cerr << "add_source: " << id.error().message << "\n";
      return 1;
    }
    ParseContext context;
    context.url = settings.url;
    context.now = now;
    const std::string bytes = read_all(file);
    auto parsed = parse_feed(bytes, context);
    if (!parsed) {
      ++parse_failures;
      std::cerr << file.filename().string() << ": " << parsed.failure().message << "\n";
      continue;
    }
    const Feed& feed = parsed.result().feed;
    auto counts = store->ingest(*id, feed, now);
    if (!counts) {
      std::cerr << "ingest " << file << ": " << counts.error().message << "\n";
      return 1;
    }
    auto located = store->locate_items(*id, feed);
    if (!located) return 1;
    for (std::size_t index = 0; index < located->size(); ++index) {
      if (!(*located)[index]) continue;
      auto item = store->get_item(*(*located)[index]);
      if (!item) return 1;
      clusters[item->cluster_id].emplace_back(file.filename().string(), index);
      ++items;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  std::ofstream out(out_path);
  out << "{\"clusters\": [";
  bool first = true;
  std::size_t multi = 0;
  for (const auto& [cluster, members] : clusters) {
    if (members.size() < 2) continue;
    ++multi;
    out << (first ? "\n" : ",\n") << "[";
    first = false;
    for (std::size_t i = 0; i < members.size(); ++i) {
      out << (i ? ", " : "") << "[" << json_string(members[i].first) << ", " << members[i].second << "]";
    }
    out << "]";
  }
  out << "\n]}\n";
  std::cerr << "dedup_quality_export: " << files.size() << " files, " << parse_failures << " unparsable, "
            << items << " items stored, " << clusters.size() << " clusters (" << multi << " with 2+ items), "
            << seconds << " s\n";
  return 0;
}
