// The rendered-document cache and gzip: a popular feed is rendered and compressed once per
// store change, then served from memory.
#include <zlib.h>

#include <cstdio>
#include <functional>
#include <iterator>
#include <list>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "tinhop/parsers/contract_json.hpp"
#include "tinhop/publish/handler.hpp"
#include "tinhop/publish/render.hpp"

namespace tinhop::publish {

// Renderings by key, the most recently used first. Their bytes (bodies as allocated, key
// and bookkeeping) stay within the budget: a rendering that would not fit even alone is
// served without being kept.
class Context::Cache {
 public:
  Cache(std::size_t budget, Metrics& metrics) : budget_(budget), metrics_(metrics) {}

  // The rendering under `key` when it is of `generation`. One of an older generation stays
  // until a newer rendering is inserted: it is what `kept` serves while the store is away.
  std::shared_ptr<const Rendering> find(const std::string& key, std::uint64_t generation) {
    std::lock_guard lock(mutex_);
    auto it = index_.find(key);
    if (it == index_.end() || it->second->rendering->generation != generation) return nullptr;
    slots_.splice(slots_.begin(), slots_, it->second);
    return it->second->rendering;
  }

  // The rendering under `key` of whichever generation.
  std::shared_ptr<const Rendering> kept(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : it->second->rendering;
  }

  void insert(const std::string& key, std::shared_ptr<const Rendering> rendering) {
    const std::size_t bytes = cost(key, *rendering);
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) erase(it->second);
    // Renderings of older generations are stale: they go before any current one does.
    for (auto it = slots_.begin(); it != slots_.end();) {
      auto next = std::next(it);
      if (it->rendering->generation < rendering->generation) erase(it);
      it = next;
    }
    if (bytes > budget_) {
      metrics_.cache_size(bytes_);
      return;
    }
    while (bytes_ + bytes > budget_) erase(std::prev(slots_.end()));
    slots_.push_front(Slot{key, std::move(rendering), bytes});
    index_.emplace(slots_.front().key, slots_.begin());
    bytes_ += bytes;
    metrics_.cache_size(bytes_);
  }

 private:
  struct Slot {
    std::string key;
    std::shared_ptr<const Rendering> rendering;
    std::size_t bytes = 0;
  };

  // What keeping a rendering costs: its strings as allocated, plus the list node, the
  // index entry and the Rendering itself (a few hundred bytes, counted as 512).
  static std::size_t cost(const std::string& key, const Rendering& r) {
    const auto held = [](const std::shared_ptr<const std::string>& s) { return s ? s->capacity() : 0; };
    return held(r.body) + held(r.gzip) + 2 * key.capacity() + r.content_type.capacity() + r.etag.capacity() +
           r.etag_gzip.capacity() + r.last_modified.capacity() + r.link.capacity() + 512;
  }

  void erase(std::list<Slot>::iterator slot) {
    bytes_ -= slot->bytes;
    index_.erase(slot->key);
    slots_.erase(slot);
  }

  const std::size_t budget_;
  Metrics& metrics_;
  std::mutex mutex_;
  std::list<Slot> slots_;                                                  // most recently used first
  std::unordered_map<std::string_view, std::list<Slot>::iterator> index_;  // keys point into slots_
  std::size_t bytes_ = 0;
};

Context::Context(Catalog& catalog, ServerOptions options)
    : catalog_(catalog),
      options_(std::move(options)),
      display_zone_(DisplayZone::named(options_.display_time_zone).value_or(DisplayZone())),
      editorial_(std::make_shared<const Editorial>(options_.editorial)),
      cache_(std::make_unique<Cache>(options_.render_cache_bytes, metrics_)) {}

Context::~Context() = default;

void Context::set_editorial(Editorial editorial) {
  {
    std::lock_guard lock(editorial_mutex_);
    editorial_ = std::make_shared<const Editorial>(std::move(editorial));
  }
  notify_changed();
}

std::shared_ptr<const Editorial> Context::editorial() const {
  std::lock_guard lock(editorial_mutex_);
  return editorial_;
}

void Context::check_for_changes() {
  std::lock_guard lock(catalog_mutex_);
  auto stamp = catalog_.last_change();
  if (!stamp) return;  // the next render reports the error
  if (seen_stamp_ && *seen_stamp_ != *stamp) notify_changed();
  seen_stamp_ = *stamp;
}

void Context::writes_refused(std::string error, Instant since) {
  std::lock_guard lock(refusal_mutex_);
  write_refusal_ = "writes refused since " + format_rfc3339(since) + ": " + error;
}

void Context::writes_resumed() {
  std::lock_guard lock(refusal_mutex_);
  write_refusal_.reset();
}

std::optional<std::string> Context::write_refusal() const {
  std::lock_guard lock(refusal_mutex_);
  return write_refusal_;
}

void Context::database_lost(std::string error, Instant since) {
  std::lock_guard lock(refusal_mutex_);
  database_loss_ = "database unreachable since " + format_rfc3339(since) + ": " + error;
}

void Context::database_restored() {
  std::lock_guard lock(refusal_mutex_);
  database_loss_.reset();
}

std::optional<std::string> Context::database_loss() const {
  std::lock_guard lock(refusal_mutex_);
  return database_loss_;
}

namespace {

// The ETag depends on the bytes only, so a re-render after a commit that changed nothing
// this document shows (another source's items, health) keeps readers' 304s coming.
std::string etag_of(std::string_view body, const char* suffix) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a, 64 bits
  for (char c : body) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  char buf[64];
  std::snprintf(buf, sizeof buf, "\"%016llx-%zx%s\"", static_cast<unsigned long long>(h), body.size(),
                suffix);
  return buf;
}

}  // namespace

Context::RenderOutcome Context::cached(const std::string& key, const RenderFn& render) {
  const std::uint64_t generation = generation_.load(std::memory_order_acquire);
  if (auto hit = cache_->find(key, generation)) {
    metrics_.cache_hit();
    return {std::move(hit), http::status::ok, {}};
  }
  auto rendering = std::make_shared<Rendering>();
  {
    std::lock_guard lock(catalog_mutex_);
    // Another request may have rendered it while this one waited for the catalog.
    if (auto hit = cache_->find(key, generation)) {
      metrics_.cache_hit();
      return {std::move(hit), http::status::ok, {}};
    }
    // While the store is away (the database unreachable), what was last rendered is served:
    // older than the store by what was committed since, never wrong otherwise.
    const auto unavailable = [&]() -> RenderOutcome {
      if (auto kept = cache_->kept(key)) {
        metrics_.cache_hit();
        return {std::move(kept), http::status::ok, {}};
      }
      return {nullptr, http::status::service_unavailable, "the store is unavailable; try again later"};
    };
    auto stamp = catalog_.last_change();
    if (!stamp) return unavailable();
    if (seen_stamp_ && *seen_stamp_ != *stamp) notify_changed();
    seen_stamp_ = *stamp;
    auto document = render(catalog_, *stamp);
    if (!document) {
      // A query the store rejects (FTS syntax) is the client's error; anything else is ours,
      // and its text (paths, SQLite messages) stays out of the response.
      if (document.error().code == storage::Errc::invalid_argument) {
        return {nullptr, http::status::bad_request, document.error().message};
      }
      return unavailable();
    }
    if (!*document) return {nullptr, http::status::not_found, "no such feed"};
    metrics_.cache_render();
    Document& doc = **document;
    rendering->content_type = std::move(doc.content_type);
    rendering->modified = doc.modified;
    rendering->link = std::move(doc.link);
    rendering->last_modified = rfc822(doc.modified);
    rendering->generation = generation;
    rendering->etag = etag_of(doc.body, "");
    // Below ~1 KB gzip saves less than its headers and CPU cost.
    if (doc.body.size() >= 1024) {
      std::string gz = gzip_compress(doc.body);
      if (!gz.empty() && gz.size() < doc.body.size()) {
        rendering->gzip = std::make_shared<const std::string>(std::move(gz));
        rendering->etag_gzip = etag_of(doc.body, "-gz");
      }
    }
    // The renderer grows its buffer by doubling: a kept body should not hold up to twice
    // its size.
    doc.body.shrink_to_fit();
    rendering->body = std::make_shared<const std::string>(std::move(doc.body));
  }
  cache_->insert(key, rendering);
  return {rendering, http::status::ok, {}};
}

std::string gzip_compress(std::string_view data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string{};
}

}  // namespace tinhop::publish
