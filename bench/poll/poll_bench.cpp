// Polling benchmark: the daemon's own path (client -> poller -> parse pool -> batched
// writer into SQLite) over a list of feed URLs, twice: a first poll (all 200, parsed and
// stored) and a second one (conditional requests, all 304, health still recorded).
// bench/poll/run.py serves the URLs with nginx and runs curl on the same URLs in the same run.
//
//   poll_bench --urls FILE --db PATH [--sources N] [--concurrency 64] [--parse-threads 1]
//              [--writer-cache-kib K] [--candidate-kib K] [--pending-kib K]
//
// With --sources N larger than the URL list, URLs repeat with ?copy=K (distinct sources).
// Prints one JSON line per pass with the peak RSS and where the heap is: SQLite's own
// allocations (page caches, statements) and the rest of malloc's in-use and free bytes.
#include <malloc.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <unordered_set>
#include <vector>

#include "pipeline.hpp"
#include "tinhop/fetch/poller.hpp"
#include "tinhop/storage/store.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using namespace tinhop;

struct Args {
  std::string urls;
  std::string db;
  std::size_t sources = 0;
  std::size_t concurrency = 64;
  std::size_t parse_threads = 1;
  std::optional<std::int64_t> writer_cache_kib;
  std::optional<std::size_t> candidate_kib;
  std::optional<std::size_t> pending_kib;
};

double mb(std::size_t bytes) {
  return static_cast<double>(bytes) / (1 << 20);
}

// "sqlite_MB": SQLite's heap now and at its peak; "heap_MB": every other malloc'd byte in
// use (sqlite excluded); "free_MB": bytes malloc holds but nothing uses (fragmentation).
std::string heap_split() {
  const struct mallinfo2 m = mallinfo2();
  const auto sqlite_now = static_cast<std::size_t>(sqlite3_memory_used());
  const std::size_t in_use = m.uordblks + m.hblkhd;
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "\"sqlite_MB\": %.1f, \"sqlite_peak_MB\": %.1f, \"heap_MB\": %.1f, \"free_MB\": %.1f",
                mb(sqlite_now), mb(static_cast<std::size_t>(sqlite3_memory_highwater(0))),
                mb(in_use > sqlite_now ? in_use - sqlite_now : 0), mb(m.fordblks));
  return buf;
}

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

struct Pass {
  std::size_t reports = 0;
  std::size_t ok = 0, not_modified = 0, failed = 0;
  std::int64_t items_added = 0;
  std::size_t bytes = 0;
  std::chrono::nanoseconds fetch_latency{0};
  std::unordered_set<std::int64_t> committed;
};

}  // namespace

int main(int argc, char** argv) {
  mallopt(M_ARENA_MAX, 1);  // as `tinhop serve` sets it, before any thread starts
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--urls")
      a.urls = v;
    else if (k == "--db")
      a.db = v;
    else if (k == "--sources")
      a.sources = std::stoul(v);
    else if (k == "--concurrency")
      a.concurrency = std::stoul(v);
    else if (k == "--parse-threads")
      a.parse_threads = std::stoul(v);
    else if (k == "--writer-cache-kib")
      a.writer_cache_kib = std::stoll(v);
    else if (k == "--pending-kib")
      a.pending_kib = std::stoul(v);
    else if (k == "--candidate-kib")
      a.candidate_kib = std::stoul(v);
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  std::vector<std::string> urls;
  std::ifstream in(a.urls);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) urls.push_back(line);
  }
  if (urls.empty() || a.db.empty()) {
    std::cerr << "usage: poll_bench --urls FILE --db PATH [--sources N]\n";
    return 2;
  }
  const std::size_t n = a.sources ? a.sources : urls.size();
  const Instant now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());

  storage::OpenOptions small_cache;
  small_cache.page_cache_kib = 2048;  // this connection only registers sources and reads health
  auto store = storage::Store::open(a.db, small_cache);
  storage::OpenOptions writer_options;
  writer_options.page_cache_kib = 2048;  // as `tinhop serve` opens its writer
  if (a.writer_cache_kib) writer_options.page_cache_kib = *a.writer_cache_kib;
  if (a.candidate_kib) writer_options.dedup.max_candidate_bytes = *a.candidate_kib << 10;
  auto writer = storage::Store::open(a.db, writer_options);
  if (!store || !writer) {
    std::cerr << "cannot open " << a.db << "\n";
    return 1;
  }
  // Handed to the poller by the first pass; the daemon keeps no second list of them either.
  std::vector<fetch::PollSource> sources;
  std::vector<std::int64_t> ids;
  for (std::size_t i = 0; i < n; ++i) {
    storage::SourceSettings s;
    s.url = urls[i % urls.size()];
    if (i >= urls.size()) s.url += "?copy=" + std::to_string(i / urls.size());
    auto id = store->upsert_source(s, now);
    if (!id) {
      std::cerr << "add source: " << id.error().message << "\n";
      return 1;
    }
    fetch::PollSource p;
    p.id = *id;
    p.url = s.url;
    p.time_zone = "Asia/Ho_Chi_Minh";
    p.settings.interval = std::chrono::hours(24);  // the bench triggers every poll itself
    sources.push_back(std::move(p));
    ids.push_back(*id);
  }

  boost::asio::io_context ioc;
  auto guard = boost::asio::make_work_guard(ioc);
  fetch::ClientOptions copts;
  copts.proxy = "";
  copts.max_idle_per_host = a.concurrency;
  fetch::Client client(ioc.get_executor(), copts);
  Pass pass;
  daemon::PipelineOptions popts;
  popts.parse_threads = a.parse_threads;
  if (a.pending_kib) popts.max_pending_bytes = *a.pending_kib << 10;
  fetch::Poller* poller_ptr = nullptr;
  daemon::Pipeline pipeline(
      *writer, popts,
      daemon::PipelineHooks{
          .committed =
              [&](const std::vector<daemon::Committed>& polls) {
                boost::asio::post(ioc, [&pass, polls] {
                  for (const auto& c : polls) {
                    pass.committed.insert(c.report.source_id);
                    pass.items_added += c.items_added;
                  }
                });
              },
          .failed = [](const std::vector<std::int64_t>&,
                       const std::string& e) { std::cerr << "store failed: " << e << "\n"; },
          .drained = [&] { boost::asio::post(ioc, [&] { poller_ptr->resume(); }); },
      });
  fetch::PollerOptions options;
  options.gate.per_host = a.concurrency;  // one host serves every feed here, as for curl
  options.gate.global = a.concurrency;
  options.gate.min_spacing = 0ms;
  options.policy.min_interval = 1s;
  fetch::Poller poller(
      ioc.get_executor(), client, options,
      fetch::PollerHooks{
          .process =
              [&](const fetch::PollSource& s, fetch::Response r, std::function<void(fetch::Processed)> done) {
                pipeline.process(s, std::move(r), std::move(done));
              },
          .report =
              [&](fetch::PollReport r) {
                ++pass.reports;
                pass.bytes += r.bytes;
                pass.fetch_latency += r.latency;
                if (r.outcome == fetch::PollOutcome::ok) ++pass.ok;
                if (r.outcome == fetch::PollOutcome::not_modified) ++pass.not_modified;
                if (r.outcome == fetch::PollOutcome::failed) ++pass.failed;
                pipeline.write(std::move(r));
              },
          .accepting = [&](const fetch::Fetching& fetching) { return pipeline.accepting(fetching); },
          .claim = {},  // one daemon: no leases to claim
      });
  poller_ptr = &poller;

  auto run_pass = [&](const char* name, bool first) {
    pass = Pass{};
    const auto t0 = pipeline.timings();
    const auto start = Clock::now();
    if (first) {
      for (auto& s : sources) poller.upsert(std::move(s));
      sources = {};
      poller.start();
    } else {
      for (const std::int64_t id : ids) poller.poll_now(id);
    }
    while (pass.committed.size() < ids.size()) ioc.run_for(5ms);
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    const auto t1 = pipeline.timings();
    std::printf(
        "{\"pass\": \"%s\", \"sources\": %zu, \"s\": %.3f, \"feeds_per_s\": %.1f, \"ok\": %zu, "
        "\"not_modified\": %zu, "
        "\"failed\": %zu, \"items_added\": %lld, \"MB\": %.1f, \"fetch_latency_sum_s\": %.3f, "
        "\"parse_cpu_s\": %.3f, "
        "\"write_s\": %.3f, \"peak_rss_kb\": %ld, %s}\n",
        name, ids.size(), secs, static_cast<double>(ids.size()) / secs, pass.ok, pass.not_modified,
        pass.failed, static_cast<long long>(pass.items_added), static_cast<double>(pass.bytes) / 1e6,
        std::chrono::duration<double>(pass.fetch_latency).count(),
        std::chrono::duration<double>(t1.parse - t0.parse).count(),
        std::chrono::duration<double>(t1.write - t0.write).count(), peak_rss_kb(), heap_split().c_str());
    std::fflush(stdout);
  };
  run_pass("first_poll", true);
  run_pass("second_poll_304", false);
  poller.stop_scheduling();
  client.shutdown();
  pipeline.finish();
  // Health was recorded for every source in both passes.
  auto health = store->all_health();
  std::size_t twice = 0;
  if (health) {
    for (const auto& h : *health) twice += h.polls >= 2 ? 1 : 0;
  }
  std::printf("{\"health_rows_with_2_polls\": %zu, \"peak_rss_kb\": %ld, %s}\n", twice, peak_rss_kb(),
              heap_split().c_str());
  return 0;
}
