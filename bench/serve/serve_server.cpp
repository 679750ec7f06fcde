// The publish server over an in-memory catalog of N generated Vietnamese entries, for
// bench/serve/serve_bench.py. One io_context thread, like nginx's single worker it is
// compared with. Prints "port N" once listening; SIGINT/SIGTERM stop it.
//
//   serve_bench_server [--port P] [--entries 100] [--body-bytes 360] [--threads 1]
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "tinhop/publish/server.hpp"

namespace {

using namespace tinhop;

const std::vector<std::string> kWords = {
    "hội",   "nghị", "tổng", "kết",   "công",  "tác",  "năm",  "Chính",  "phủ",  "tỉnh",  "thành", "phố",
    "giá",   "vàng", "hôm",  "nay",   "tăng",  "giảm", "kinh", "tế",     "xã",   "hội",   "người", "dân",
    "đầu",   "tư",   "phát", "triển", "dự",    "án",   "Bộ",   "trưởng", "chỉ",  "đạo",   "thực",  "hiện",
    "chính", "sách", "Quốc", "hội",   "thông", "qua",  "luật", "mới",    "miền", "Trung", "mưa",   "lũ"};

// A deterministic generator, so every run serves the same bytes.
struct Words {
  std::uint64_t state = 42;
  const std::string& next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return kWords[(state >> 33U) % kWords.size()];
  }
  std::string sentence(std::size_t bytes) {
    std::string s;
    while (s.size() < bytes) s += (s.empty() ? "" : " ") + next();
    return s;
  }
};

class BenchCatalog final : public publish::Catalog {
 public:
  BenchCatalog(std::size_t entries, std::size_t body_bytes) {
    Words w;
    for (std::int64_t id = 1; id <= 3; ++id) {
      storage::Source s;
      s.id = id;
      s.settings.title = "Báo " + w.sentence(10);
      s.settings.url = "https://source" + std::to_string(id) + ".example.vn/rss";
      s.settings.categories = {"Thời sự"};
      s.site_link = "https://source" + std::to_string(id) + ".example.vn/";
      sources_.push_back(s);
    }
    for (std::size_t i = 0; i < entries; ++i) {
      storage::ClusterView c;
      c.cluster_id = static_cast<std::int64_t>(i + 1);
      const Instant published{std::chrono::seconds{1764200000 + static_cast<long long>(i) * 600}};
      c.position = storage::Cursor{published, c.cluster_id};
      const auto& src = sources_[i % sources_.size()];
      c.item.id = c.cluster_id;
      c.item.source_id = src.id;
      c.item.link =
          "https://source" + std::to_string(src.id) + ".example.vn/tin/" + std::to_string(i) + ".html";
      c.item.title = w.sentence(70);
      c.item.summary = w.sentence(250);
      c.item.content = "<p>" + w.sentence(body_bytes / 2) + "</p><p><img src=\"/anh/" + std::to_string(i) +
                       ".jpg\" alt=\"ảnh\"></p><p>" + w.sentence(body_bytes / 2) + "</p>";
      c.item.published = published;
      c.item.first_seen = published;
      c.item.categories = {"Thời sự"};
      c.origin.source_id = src.id;
      c.origin.source_title = src.settings.title;
      c.origin.source_url = src.settings.url;
      c.origin.site_link = src.site_link;
      c.origin.item_link = c.item.link;
      c.origin.published = published;
      if (i % 5 == 0) {
        storage::Publisher other = c.origin;
        other.source_id = sources_[(i + 1) % sources_.size()].id;
        other.source_title = sources_[(i + 1) % sources_.size()].settings.title;
        other.item_link = "https://other.example.vn/" + std::to_string(i);
        c.others.push_back(other);
      }
      clusters_.insert(clusters_.begin(), c);  // newest first
    }
  }
  storage::Result<storage::ClusterPage> latest_clusters(const storage::ClusterQuery& q) override {
    storage::ClusterPage page;
    for (const auto& c : clusters_) {
      if (q.before && !(c.position.published < q.before->published)) continue;
      if (page.clusters.size() == q.limit) {
        page.next = page.clusters.back().position;
        break;
      }
      page.clusters.push_back(c);
    }
    return page;
  }
  storage::Result<std::vector<storage::Source>> list_sources() override { return sources_; }
  // The benchmark reads the river and the feeds only.
  storage::Result<std::optional<storage::Story>> story(std::int64_t) override {
    return std::optional<storage::Story>();
  }
  storage::Result<std::vector<std::string>> list_categories() override {
    return std::vector<std::string>{"Thời sự"};
  }
  storage::Result<storage::ChangeStamp> last_change() override {
    return storage::ChangeStamp{1, Instant{std::chrono::seconds{1764300000}}};
  }
  storage::Result<storage::StoreStats> stats() override { return storage::StoreStats{}; }
  storage::Result<std::vector<storage::Health>> all_health() override {
    return std::vector<storage::Health>{};
  }

 private:
  std::vector<storage::Source> sources_;
  std::vector<storage::ClusterView> clusters_;
};

}  // namespace

int main(int argc, char** argv) {
  std::uint16_t port = 0;
  std::size_t entries = 100;
  std::size_t body_bytes = 360;  // 100 entries make a ~150 KB Atom feed, the anchor's size
  int threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    const long value = std::strtol(argv[i + 1], nullptr, 10);
    if (flag == "--port") port = static_cast<std::uint16_t>(value);
    if (flag == "--entries") entries = static_cast<std::size_t>(value);
    if (flag == "--body-bytes") body_bytes = static_cast<std::size_t>(value);
    if (flag == "--threads") threads = static_cast<int>(value);
  }
  BenchCatalog catalog(entries, body_bytes);
  publish::ServerOptions options;
  options.port = port;
  options.default_limit = entries;
  options.max_limit = std::max<std::size_t>(entries, 200);
  options.version = "bench";
  boost::asio::io_context ioc(threads);
  publish::Server server(ioc, catalog, options);
  if (auto ec = server.start()) {
    std::cerr << "serve_bench_server: " << ec.message() << "\n";
    return 1;
  }
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { server.stop(); });
  std::cout << "port " << server.port() << std::endl;
  std::vector<std::thread> extra;
  for (int i = 1; i < threads; ++i) extra.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : extra) t.join();
  return 0;
}
