// The rendered-document cache and gzip: a popular feed is rendered and compressed once per
// store change, then served from memory.
#include <zlib.h>

#include <cstdio>
#include <functional>

#include "tinhop/publish/handler.hpp"
#include "tinhop/publish/render.hpp"

namespace tinhop::publish {

Context::Context(Catalog& catalog, ServerOptions options) : catalog_(catalog), options_(std::move(options)) {
  base_url_ = options_.public_url;
  if (base_url_.empty()) {
    const bool v6 = options_.address.find(':') != std::string::npos;
    base_url_ = "http://" + (v6 ? "[" + options_.address + "]" : options_.address) + ":" +
                std::to_string(options_.port);
  }
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

void Context::check_for_changes() {
  std::lock_guard lock(catalog_mutex_);
  auto stamp = catalog_.last_change();
  if (!stamp) return;  // the next render reports the error
  if (seen_stamp_ && *seen_stamp_ != *stamp) notify_changed();
  seen_stamp_ = *stamp;
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
  {
    std::shared_lock lock(cache_mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second->generation == generation) {
      metrics_.cache_hit();
      return {it->second, http::status::ok, {}};
    }
  }
  auto rendering = std::make_shared<Rendering>();
  {
    std::lock_guard lock(catalog_mutex_);
    // Another request may have rendered it while this one waited for the catalog.
    {
      std::shared_lock cache_lock(cache_mutex_);
      auto it = cache_.find(key);
      if (it != cache_.end() && it->second->generation == generation) {
        metrics_.cache_hit();
        return {it->second, http::status::ok, {}};
      }
    }
    auto stamp = catalog_.last_change();
    if (!stamp)
      return {nullptr, http::status::service_unavailable, "the store is unavailable; try again later"};
    if (seen_stamp_ && *seen_stamp_ != *stamp) notify_changed();
    seen_stamp_ = *stamp;
    auto document = render(catalog_, *stamp);
    if (!document) {
      // A query the store rejects (FTS syntax) is the client's error; anything else is ours,
      // and its text (paths, SQLite messages) stays out of the response.
      if (document.error().code == storage::Errc::invalid_argument) {
        return {nullptr, http::status::bad_request, document.error().message};
      }
      return {nullptr, http::status::service_unavailable, "the store is unavailable; try again later"};
    }
    if (!*document) return {nullptr, http::status::not_found, "no such feed"};
    metrics_.cache_render();
    Document& doc = **document;
    rendering->content_type = std::move(doc.content_type);
    rendering->modified = doc.modified;
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
    rendering->body = std::make_shared<const std::string>(std::move(doc.body));
  }
  std::unique_lock lock(cache_mutex_);
  if (cache_.size() >= options_.cache_entries) {
    std::erase_if(cache_, [generation](const auto& kv) { return kv.second->generation != generation; });
    if (cache_.size() >= options_.cache_entries) cache_.erase(cache_.begin());
  }
  cache_[key] = rendering;
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
