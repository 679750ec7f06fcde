// Runs a corpus through the daemon's parse -> dedup -> storage path and writes the
// clusters in score_dedup.py's PRED format. Used by bench/dedup-quality.
//
//   dedup_quality_export CORPUS_DIR OUT.json [--db PATH | --database URL --nodes N]
//                        [--threshold S] [--title-only-threshold S] [--window-hours H]
//
// Every CORPUS_DIR/*.xml file is one file:// source; files are ingested in name order,
// each as the poller would: parse_feed with the file's url, then Store::ingest.
// With --database URL --nodes N (issue #18, dedup across nodes): the sources are added to
// that PostgreSQL database (which must be empty), then N forked processes, each with its own
// connection, go through the files in name order all at once, and each ingests the sources
// it claims (Store::claim_source, as a daemon's poller does: one node per source); the
// clusters are then read back from the database. Each file is its own host for the claims:
// the corpus's sources are separate publishers.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <span>
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

struct Settings {
  fs::path corpus;
  std::string out_path;
  std::string location = ":memory:";  // --db PATH, or --database URL
  int nodes = 0;                      // 0: one process, no claims
  storage::OpenOptions options;
};

using Clusters =
    std::map<std::int64_t, std::vector<std::pair<std::string, std::size_t>>>;  // -> (file, index)

std::vector<fs::path> corpus_files(const fs::path& corpus) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(corpus)) {
    if (entry.path().extension() == ".xml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string url_of(const fs::path& file) {
  return "file://" + fs::absolute(file).string();
}

storage::Store open_store(const Settings& settings) {
  auto store = storage::Store::open(settings.location, settings.options);
  if (!store) {
    std::cerr << "open: " << store.error().message << "\n";
    std::exit(1);
  }
  return std::move(*store);
}

std::optional<Feed> parse_file(const fs::path& file, Instant now) {
  ParseContext context;
  context.url = url_of(file);
  context.now = now;
  auto parsed = parse_feed(read_all(file), context);
  if (!parsed) {
    std::cerr << file.filename().string() << ": " << parsed.failure().message << "\n";
    return std::nullopt;
  }
  return parsed.result().feed;
}

std::int64_t add_source(storage::Store& store, const fs::path& file, Instant now) {
  storage::SourceSettings settings;
  settings.url = url_of(file);
  settings.categories = {"corpus"};
  auto id = store.add_source(settings, now);
  if (!id) {
    std::cerr << "add_source: " << id.error().message << "\n";
    std::exit(1);
  }
  return *id;
}

void ingest(storage::Store& store, std::int64_t source_id, const fs::path& file, const Feed& feed,
            Instant now) {
  auto counts = store.ingest(source_id, feed, now);
  if (!counts) {
    std::cerr << "ingest " << file << ": " << counts.error().message << "\n";
    std::exit(1);
  }
}

// The clusters of the feed's stored items; returns how many were found.
std::size_t collect(storage::Store& store, std::int64_t source_id, const fs::path& file, const Feed& feed,
                    Clusters& clusters) {
  auto located = store.locate_items(source_id, feed);
  if (!located) std::exit(1);
  std::size_t found = 0;
  for (std::size_t index = 0; index < located->size(); ++index) {
    if (!(*located)[index]) continue;
    auto item = store.get_item(*(*located)[index]);
    if (!item) std::exit(1);
    clusters[item->cluster_id].emplace_back(file.filename().string(), index);
    ++found;
  }
  return found;
}

// One node's share: every source it can claim, ingested. Prints the node's figures.
void run_node(const Settings& settings, const std::string& node, const std::vector<fs::path>& files,
              Instant now) {
  auto store = open_store(settings);
  const auto started = std::chrono::steady_clock::now();
  std::size_t claimed = 0;
  for (const auto& file : files) {
    auto source = store.find_source_by_url(url_of(file));
    if (!source || !*source) {
      std::cerr << node << ": no source for " << file << "\n";
      std::exit(1);
    }
    storage::ClaimRequest request;
    request.node = node;
    request.source_id = (*source)->id;
    request.host = file.filename().string();
    request.now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
    auto claim = store.claim_source(request);
    if (!claim) {
      std::cerr << node << ": claim: " << claim.error().message << "\n";
      std::exit(1);
    }
    // Not granted: another node holds the lease, or has released it with a next due time
    // a day away: the source is that node's.
    if (!claim->granted) continue;
    ++claimed;
    if (const auto feed = parse_file(file, now)) ingest(store, request.source_id, file, *feed, now);
    const storage::LeaseRelease release{request.source_id, request.now + std::chrono::hours(24),
                                        std::nullopt};
    if (!store.release_leases(node, std::span(&release, 1))) std::exit(1);
  }
  const auto waits = store.dedup_waits();
  std::cerr << "dedup_quality_export: node " << node << " ingested " << claimed << " sources in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() << " s, "
            << waits.count << " dedup waits (" << std::chrono::duration<double>(waits.time).count()
            << " s)\n";
}

// Forks one process per node and waits for all; returns false when one failed.
bool run_nodes(const Settings& settings, const std::vector<fs::path>& files, Instant now) {
  std::vector<pid_t> children;
  for (int n = 0; n < settings.nodes; ++n) {
    const pid_t pid = ::fork();
    if (pid < 0) return false;
    if (pid == 0) {
      run_node(settings, "node-" + std::to_string(n + 1), files, now);
      std::_Exit(0);
    }
    children.push_back(pid);
  }
  bool ok = true;
  for (const pid_t pid : children) {
    int status = 0;
    ok = ::waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 && ok;
  }
  return ok;
}

void write_clusters(const std::string& out_path, const Clusters& clusters) {
  std::ofstream out(out_path);
  out << "{\"clusters\": [";
  bool first = true;
  for (const auto& [cluster, members] : clusters) {
    if (members.size() < 2) continue;
    out << (first ? "\n" : ",\n") << "[";
    first = false;
    for (std::size_t i = 0; i < members.size(); ++i) {
      out << (i ? ", " : "") << "[" << json_string(members[i].first) << ", " << members[i].second << "]";
    }
    out << "]";
  }
  out << "\n]}\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: dedup_quality_export CORPUS_DIR OUT.json [--db PATH | --database URL --nodes N] "
                 "[--threshold S] [--title-only-threshold S] [--window-hours H]\n";
    return 2;
  }
  Settings settings;
  settings.corpus = argv[1];
  settings.out_path = argv[2];
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--db" || flag == "--database") {
      settings.location = argv[i + 1];
    } else if (flag == "--nodes") {
      settings.nodes = std::stoi(argv[i + 1]);
    } else if (flag == "--threshold") {
      settings.options.dedup.threshold = std::stod(argv[i + 1]);
    } else if (flag == "--title-only-threshold") {
      settings.options.dedup.title_only_threshold = std::stod(argv[i + 1]);
    } else if (flag == "--window-hours") {
      settings.options.dedup.window = std::chrono::hours{std::stol(argv[i + 1])};
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  const bool postgres = settings.location.starts_with("postgres");
  if (settings.nodes > 0 && !postgres) {
    std::cerr << "--nodes needs --database postgresql://...\n";
    return 2;
  }
  if (!postgres && settings.location != ":memory:") {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(settings.location + suffix);
  }
  const auto files = corpus_files(settings.corpus);
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto started = std::chrono::steady_clock::now();
  Clusters clusters;
  std::size_t items = 0;
  std::size_t parse_failures = 0;
  if (settings.nodes > 0) {
    {
      auto store = open_store(settings);
      if (store.stats()->sources != 0) {
        std::cerr << "the database is not empty\n";
        return 1;
      }
      for (const auto& file : files) add_source(store, file, now);
    }  // closed: the nodes are forked without this connection
    if (!run_nodes(settings, files, now)) {
      std::cerr << "a node failed\n";
      return 1;
    }
    auto store = open_store(settings);
    for (const auto& file : files) {
      const auto feed = parse_file(file, now);
      if (!feed) {
        ++parse_failures;
        continue;
      }
      const std::size_t found =
          collect(store, (*store.find_source_by_url(url_of(file)))->id, file, *feed, clusters);
      // A source no node claimed would be missing from the score's denominator only as misses.
      if (found == 0 && !feed->items.empty()) {
        std::cerr << "no node ingested " << file << "\n";
        return 1;
      }
      items += found;
    }
  } else {
    auto store = open_store(settings);
    for (const auto& file : files) {
      const auto id = add_source(store, file, now);
      const auto feed = parse_file(file, now);
      if (!feed) {
        ++parse_failures;
        continue;
      }
      ingest(store, id, file, *feed, now);
      items += collect(store, id, file, *feed, clusters);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  write_clusters(settings.out_path, clusters);
  const auto multi =
      std::count_if(clusters.begin(), clusters.end(), [](const auto& c) { return c.second.size() >= 2; });
  std::cerr << "dedup_quality_export: " << files.size() << " files, " << parse_failures << " unparsable, "
            << items << " items stored, " << clusters.size() << " clusters (" << multi << " with 2+ items), "
            << seconds << " s\n";
  return 0;
}
