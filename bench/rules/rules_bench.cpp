// Rules cost: ingest of N generated Vietnamese items into SQLite with no rules, then with
// 100 rules of mixed kinds applied to each document first (as the daemon's parse workers do),
// the two runs in one process on fresh databases. Prints one JSON line.
//
//   rules_bench DIR [--items N] [--rules R] [--seed S]
//
// Most rules match nothing, as most editorial rules do on most items; the few that match
// tag or rewrite, so every run stores the same number of items.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "tinhop/rules/rules.hpp"
#include "tinhop/storage/store.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace tinhop;

namespace {

constexpr int kItemsPerFeed = 50;
constexpr int kSources = 200;

const std::vector<std::string> kSyllables = {
    "Thủ",  "tướng", "chủ",  "trì",    "phiên", "họp",   "Chính", "phủ",    "thường", "kỳ",    "tháng",
    "kinh", "tế",    "tăng", "trưởng", "quý",   "xuất",  "khẩu",  "nông",   "sản",    "giá",   "vàng",
    "xăng", "dầu",   "giảm", "lãi",    "suất",  "ngân",  "hàng",  "nhà",    "nước",   "đầu",   "tư",
    "công", "dự",    "án",   "đường",  "cao",   "tốc",   "Bắc",   "Nam",    "miền",   "Trung", "bão",
    "lũ",   "mưa",   "lớn",  "học",    "sinh",  "thi",   "tốt",   "nghiệp", "bệnh",   "viện",  "y",
    "bác",  "sĩ",    "Hà",   "Nội",    "thành", "phố",   "Hồ",    "Chí",    "Minh",   "Quốc",  "hội",
    "khóa", "luật",  "đất",  "đai",    "doanh", "nghiệp"};

std::string words(std::mt19937_64& rng, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    if (i) out += ' ';
    out += kSyllables[rng() % kSyllables.size()];
  }
  return out;
}

std::vector<Feed> make_feeds(int items, unsigned long long seed) {
  std::mt19937_64 rng(seed);
  std::vector<Feed> feeds;
  for (int i = 0; i < items; ++i) {
    if (i % kItemsPerFeed == 0) feeds.emplace_back();
    Item item;
    item.id = "urn:bench:" + std::to_string(i);
    item.link = "https://bao" + std::to_string(i % kSources) + ".vn/tin/" + std::to_string(i) + ".htm";
    item.title = words(rng, 14);
    item.summary = words(rng, 40);
    item.content = "<p>" + words(rng, 80) + "</p><p>" + words(rng, 80) + "</p>";
    item.published = Instant{std::chrono::seconds{1764000000 + i * 60}};
    item.categories = {"Thời sự"};
    feeds.back().items.push_back(std::move(item));
  }
  return feeds;
}

// `count` rules: 40% words and 30% phrases (in title, summary and content), 20% regexes on
// titles (half anchored), 5% tags, 5% rewrites of an anchored prefix. A regex not anchored
// over whole contents costs far more (docs/performance.md, "Editorial rules").
std::vector<rules::RuleSpec> make_rules(int count) {
  std::vector<rules::RuleSpec> out;
  for (int i = 0; i < count; ++i) {
    rules::RuleSpec r;
    r.name = "r" + std::to_string(i);
    const int kind = i % 20;
    if (kind < 8) {
      r.match = rules::Match::words;
      r.pattern = "horoscope" + std::to_string(i) + " tu vi";
    } else if (kind < 14) {
      r.match = rules::Match::phrase;
      r.pattern = "thong tin quang cao " + std::to_string(i);
    } else if (kind < 18) {
      r.match = rules::Match::regex;
      r.pattern = kind % 2 ? "^\\s*video\\s*[:|]" : "khuyến mãi \\d+%";
      r.fields = {rules::Field::title};
    } else if (kind == 18) {
      r.action = rules::Action::tag;
      r.pattern = "bao lu";
      r.tag = "Thiên tai";
    } else {
      r.action = rules::Action::rewrite;
      r.match = rules::Match::regex;
      r.pattern = "^\\(Chinhphu\\.vn\\)\\s*-\\s*";
      r.fields = {rules::Field::title, rules::Field::summary};
    }
    out.push_back(std::move(r));
  }
  return out;
}

struct Run {
  double seconds = 0;
  double cpu_seconds = 0;  // every thread's: the store's prepare worker runs beside the caller
  double rules_seconds = 0;
  long stored = 0;
};

Run ingest(const fs::path& db, std::vector<Feed> feeds, const rules::RuleSet& set) {
  fs::remove(db);
  auto store = storage::Store::open(db.string());
  if (!store) {
    std::fprintf(stderr, "cannot open %s: %s\n", db.c_str(), store.error().message.c_str());
    std::exit(1);
  }
  const Instant now{std::chrono::seconds{1765000000}};
  std::vector<std::int64_t> ids;
  for (int s = 0; s < kSources; ++s) {
    storage::SourceSettings settings;
    settings.url = "https://bao" + std::to_string(s) + ".vn/rss";
    ids.push_back(store->add_source(settings, now).value());
  }
  Run run;
  const std::vector<std::string> categories;
  const auto start = Clock::now();
  const std::clock_t cpu_start = std::clock();
  for (std::size_t f = 0; f < feeds.size(); ++f) {
    const std::int64_t source = ids[f % ids.size()];
    const std::string url = "https://bao" + std::to_string(f % ids.size()) + ".vn/rss";
    if (!set.empty()) {
      const auto before = Clock::now();
      set.apply(feeds[f].items, rules::SourceScope{url, categories}, std::string("vi"));
      run.rules_seconds += std::chrono::duration<double>(Clock::now() - before).count();
    }
    auto counts = store->ingest(source, feeds[f], now);
    if (!counts) {
      std::fprintf(stderr, "ingest failed: %s\n", counts.error().message.c_str());
      std::exit(1);
    }
    run.stored += counts->added;
  }
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  run.cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  fs::remove(db);
  return run;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

// Each round ingests the corpus once without rules and once with them, the order swapped
// every round (plain first, then rules first), so neither side always gets the cold process
// or the warm page cache; the figures are the medians over the rounds.
int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: rules_bench DIR [--items N] [--rules R] [--seed S] [--rounds K]\n");
    return 2;
  }
  const fs::path dir = argv[1];
  int items = 20000, rule_count = 100, rounds = 3;
  unsigned long long seed = 1;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--items")) items = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--rules")) rule_count = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seed")) seed = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--rounds")) rounds = std::max(1, std::atoi(argv[i + 1]));
  }
  fs::create_directories(dir);
  const std::vector<Feed> feeds = make_feeds(items, seed);
  const rules::RuleSet none;
  const rules::RuleSet mixed(make_rules(rule_count));
  std::vector<double> plain_seconds, plain_cpu, rules_seconds, rules_cpu, rules_only, ratios;
  long stored_plain = 0, stored_rules = 0;
  for (int round = 0; round < rounds; ++round) {
    Run plain, ruled;
    if (round % 2 == 0) {
      plain = ingest(dir / "plain.db", feeds, none);
      ruled = ingest(dir / "rules.db", feeds, mixed);
    } else {
      ruled = ingest(dir / "rules.db", feeds, mixed);
      plain = ingest(dir / "plain.db", feeds, none);
    }
    plain_seconds.push_back(plain.seconds);
    plain_cpu.push_back(plain.cpu_seconds);
    rules_seconds.push_back(ruled.seconds);
    rules_cpu.push_back(ruled.cpu_seconds);
    rules_only.push_back(ruled.rules_seconds);
    ratios.push_back(plain.seconds / ruled.seconds);
    stored_plain = plain.stored;
    stored_rules = ruled.stored;
  }
  const auto [lowest, highest] = std::minmax_element(ratios.begin(), ratios.end());
  std::printf(
      "{\"items\":%d,\"rules\":%d,\"rounds\":%d,\"stored_plain\":%ld,\"stored_rules\":%ld,"
      "\"plain_items_per_s\":%.0f,\"rules_items_per_s\":%.0f,\"rules_us_per_item\":%.2f,\"ratio\":%.3f,"
      "\"ratio_min\":%.3f,\"ratio_max\":%.3f,\"cpu_ratio\":%.3f}\n",
      items, rule_count, rounds, stored_plain, stored_rules, items / median(plain_seconds),
      items / median(rules_seconds), median(rules_only) * 1e6 / items,
      median(plain_seconds) / median(rules_seconds), *lowest, *highest,
      median(plain_cpu) / median(rules_cpu));
  return 0;
}
