// An in-memory Catalog with a small, fixed river: three sources, one republished story.
#pragma once

#include <algorithm>
#include <atomic>

#include "tinhop/publish/catalog.hpp"

namespace tinhop::test {

inline Instant at(long long seconds) {
  return Instant{std::chrono::seconds{seconds}};
}

class FakeCatalog final : public publish::Catalog {
 public:
  FakeCatalog() { reset(); }

  // Three sources; clusters 1..3, cluster 2 carried by two sources.
  void reset() {
    sources.clear();
    clusters.clear();
    sources.push_back(source(1, "Báo Chính phủ", "https://baochinhphu.example/rss",
                             "https://baochinhphu.example/", {"Thời sự"}, storage::Republication::full));
    sources.push_back(source(2, "Nhân Dân & Co", "https://nhandan.example/feed.xml",
                             "https://nhandan.example/", {"Thời sự", "Kinh tế"},
                             storage::Republication::summary));
    sources.push_back(
        source(3, "", "https://vtv.example/rss", std::nullopt, {"Kinh tế"}, storage::Republication::title));
    sources[2].feed_title = "VTV <Tin>";
    auto& c1 = add(1, 1, at(1764200000), "Hội nghị tổng kết công tác năm 2026",
                   "<p>Sáng nay, <b>Thủ tướng</b> chủ trì hội nghị.<script>alert(1)</script></p>",
                   "<p>Toàn văn <a href=\"/bai/1.html\" onclick=\"x()\">bài phát biểu</a>.</p>"
                   "<img src=\"javascript:alert(1)\"><img src=\"/anh/1.jpg\" alt=\"Ảnh\">",
                   "https://baochinhphu.example/tin/1.html");
    c1.item.authors.push_back(Author{"Minh Anh", std::nullopt, std::nullopt});
    c1.item.categories = {"Thời sự"};
    c1.item.enclosures.push_back(
        Enclosure{"https://baochinhphu.example/a.mp3", "audio/mpeg", 1234, std::nullopt});
    auto& c2 = add(2, 2, at(1764203600), "Giá vàng hôm nay 27/11: tăng \"mạnh\" & <đột biến>",
                   "Giá vàng miếng SJC tăng 500.000 đồng mỗi lượng so với phiên hôm qua, "
                   "trong khi giá vàng nhẫn đứng yên. Các chuyên gia dự báo xu hướng còn kéo dài.",
                   std::nullopt, "https://nhandan.example/kinh-te/gia-vang.html");
    c2.others.push_back(publisher(1, 11, "https://baochinhphu.example/tin/gia-vang.html", at(1764204000)));
    add(3, 3, at(1764207200), "Bản tin thời sự 19h\x01", "Tóm tắt", "<p>Nội dung</p>",
        "https://vtv.example/bt-19h");
  }

  storage::Result<storage::ClusterPage> latest_clusters(const storage::ClusterQuery& q) override {
    ++queries;
    last_query = q;
    if (fail) return storage::Error{storage::Errc::io, "disk on fire"};
    if (reject_queries) return storage::Error{storage::Errc::invalid_argument, "bad search query"};
    std::vector<storage::ClusterView> matching;
    for (const auto& c : clusters) {
      if (q.source_id && c.origin.source_id != *q.source_id &&
          std::none_of(c.others.begin(), c.others.end(),
                       [&](const auto& p) { return p.source_id == *q.source_id; })) {
        continue;
      }
      if (q.category) {
        const auto& cats = sources[static_cast<std::size_t>(c.origin.source_id - 1)].settings.categories;
        if (std::find(cats.begin(), cats.end(), *q.category) == cats.end()) continue;
      }
      if (q.search && c.item.title->find(*q.search) == std::string::npos) continue;
      if (q.before &&
          !(std::tie(c.position.published, c.position.id) < std::tie(q.before->published, q.before->id))) {
        continue;
      }
      if (q.after &&
          !(std::tie(c.position.published, c.position.id) > std::tie(q.after->published, q.after->id))) {
        continue;
      }
      matching.push_back(c);
    }
    std::sort(matching.begin(), matching.end(), [](const auto& a, const auto& b) {
      return std::tie(a.position.published, a.position.id) > std::tie(b.position.published, b.position.id);
    });
    storage::ClusterPage page;
    if (q.after) {  // the `limit` just newer than the cursor
      const std::size_t skip = matching.size() > q.limit ? matching.size() - q.limit : 0;
      matching.erase(matching.begin(), matching.begin() + static_cast<std::ptrdiff_t>(skip));
      if (skip > 0) page.previous = matching.front().position;
      page.clusters = matching;
      if (!matching.empty()) page.next = matching.back().position;
      return page;
    }
    for (const auto& c : matching) {
      if (page.clusters.size() == q.limit) {
        page.next = page.clusters.back().position;
        break;
      }
      page.clusters.push_back(c);
    }
    if (q.before && !page.clusters.empty()) page.previous = page.clusters.front().position;
    return page;
  }
  storage::Result<std::vector<storage::Source>> list_sources() override {
    if (fail) return storage::Error{storage::Errc::io, "disk on fire"};
    return sources;
  }
  storage::Result<std::vector<std::string>> list_categories() override {
    return std::vector<std::string>{"Kinh tế", "Thời sự"};
  }
  // A cluster's primary and its other publishers' items (items 10x of the others: their
  // titles say whose they are).
  storage::Result<std::optional<storage::Story>> story(std::int64_t public_id) override {
    for (const auto& c : clusters) {
      if (c.public_id != public_id) continue;
      storage::Story story;
      story.cluster_id = c.cluster_id;
      story.public_id = c.public_id;
      story.versions.push_back(storage::StoryVersion{c.origin, c.republication, c.item});
      for (const auto& p : c.others) {
        storage::StoredItem item = c.item;
        item.id = p.item_id;
        item.source_id = p.source_id;
        item.link = p.item_link;
        item.title = *c.item.title + " (" + p.source_title + ")";
        item.published = p.published;
        const auto policy = sources[static_cast<std::size_t>(p.source_id - 1)].settings.republication;
        story.versions.push_back(storage::StoryVersion{p, policy, std::move(item)});
      }
      return std::optional<storage::Story>(std::move(story));
    }
    return std::optional<storage::Story>();
  }
  storage::Result<storage::ChangeStamp> last_change() override {
    ++change_checks;
    return stamp;
  }
  storage::Result<storage::StoreStats> stats() override { return storage::StoreStats{3, 4, 3, 0, 1}; }
  storage::Result<std::vector<storage::Health>> all_health() override {
    if (fail) return storage::Error{storage::Errc::io, "disk on fire"};
    return health;
  }

  std::vector<storage::Source> sources;
  std::vector<storage::ClusterView> clusters;
  std::vector<storage::Health> health;
  storage::ChangeStamp stamp{7, at(1764208000)};
  std::atomic<int> queries{0};
  std::atomic<int> change_checks{0};
  storage::ClusterQuery last_query;
  bool fail = false;
  bool reject_queries = false;

  storage::ClusterView& add(std::int64_t cluster, std::int64_t source_id, Instant published,
                            std::string title, std::optional<std::string> summary,
                            std::optional<std::string> content, std::string link) {
    storage::ClusterView c;
    c.cluster_id = cluster;
    c.public_id = cluster;
    c.position = storage::Cursor{published, cluster};
    c.item.id = cluster * 10;
    c.item.source_id = source_id;
    c.item.link = std::move(link);
    c.item.title = std::move(title);
    c.item.summary = std::move(summary);
    c.item.content = std::move(content);
    c.item.published = published;
    c.item.first_seen = published;
    c.origin = publisher(source_id, c.item.id, *c.item.link, published);
    c.republication = sources[static_cast<std::size_t>(source_id - 1)].settings.republication;
    clusters.push_back(std::move(c));
    return clusters.back();
  }

 private:
  static storage::Source source(std::int64_t id, std::string title, std::string url,
                                std::optional<std::string> site, std::vector<std::string> categories,
                                storage::Republication policy) {
    storage::Source s;
    s.id = id;
    s.settings.title = std::move(title);
    s.settings.url = std::move(url);
    s.settings.categories = std::move(categories);
    s.settings.republication = policy;
    s.site_link = std::move(site);
    return s;
  }
  storage::Publisher publisher(std::int64_t source_id, std::int64_t item_id, std::string link,
                               Instant published) {
    const auto& s = sources[static_cast<std::size_t>(source_id - 1)];
    storage::Publisher p;
    p.source_id = source_id;
    p.source_title = s.settings.title.empty() ? s.feed_title.value_or(s.settings.url) : s.settings.title;
    p.source_url = s.settings.url;
    p.site_link = s.site_link;
    p.item_id = item_id;
    p.item_link = std::move(link);
    p.published = published;
    return p;
  }
};

}  // namespace tinhop::test
