#include "tinhop/parsers/feed_discovery.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "html_internal.hpp"
#include "tinhop/parsers/url.hpp"

namespace tinhop {
namespace {

// The paths sites commonly serve their feed at, tried when the page names none well
// (WordPress, Ghost, Hugo, Jekyll, Blogger-like generators).
constexpr std::array<std::string_view, 8> kCommonPaths = {
    "/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml", "/index.rss", "/feed.json"};

// A portal's page of its feeds links hundreds (vnexpress.net/rss): the first ones are
// plenty to choose from, and each candidate kept may cost a fetch.
constexpr std::size_t kMaxPageLinks = 20;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

// The kind a MIME type names; nullopt when it is no feed type at all.
std::optional<FeedKind> kind_of_type(std::string_view type) {
  const std::string t = lower(trim(type.substr(0, type.find(';'))));
  if (t == "application/rss+xml" || t == "application/rdf+xml") return FeedKind::rss;
  if (t == "application/atom+xml") return FeedKind::atom;
  if (t == "application/feed+json" || t == "application/json") return FeedKind::json;
  if (t == "application/xml" || t == "text/xml") return FeedKind::unknown;
  return std::nullopt;
}

bool has_token(std::string_view list, std::string_view token) {
  const std::string text = lower(list);
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = std::min(text.find_first_of(" \t\n\r\f", at), text.size());
    if (std::string_view(text).substr(at, end - at) == token) return true;
    at = end + 1;
  }
  return false;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The kind a link's path suggests; nullopt when it does not look like a feed.
std::optional<FeedKind> kind_of_path(std::string_view url) {
  std::string path = lower(url.substr(0, url.find_first_of("?#")));
  if (const auto scheme = path.find("://"); scheme != std::string::npos) {
    const auto slash = path.find('/', scheme + 3);
    path = slash == std::string::npos ? std::string("/") : path.substr(slash);
  }
  if (ends_with(path, "/")) path.pop_back();
  if (ends_with(path, ".rss") || ends_with(path, "/rss.xml") || ends_with(path, "/rss")) return FeedKind::rss;
  if (ends_with(path, ".atom") || ends_with(path, "/atom.xml") || ends_with(path, "/atom"))
    return FeedKind::atom;
  if (ends_with(path, "/feed.json")) return FeedKind::json;
  if (ends_with(path, "/feed") || ends_with(path, "/feed.xml") || ends_with(path, "/index.xml"))
    return FeedKind::unknown;
  return std::nullopt;
}

bool is_http(std::string_view url) {
  const std::string l = lower(url.substr(0, 8));
  return l.rfind("http://", 0) == 0 || l.rfind("https://", 0) == 0;
}

class Collector {
 public:
  void add(std::optional<std::string> url, std::string_view title, FeedKind kind, FoundBy found_by) {
    if (!url || !is_http(*url)) return;
    const bool seen =
        std::any_of(found_.begin(), found_.end(), [&](const FeedCandidate& c) { return c.url == *url; });
    if (seen) return;
    found_.push_back({std::move(*url), std::string(trim(title)), kind, found_by});
  }
  std::vector<FeedCandidate> take() { return std::move(found_); }

 private:
  std::vector<FeedCandidate> found_;
};

std::optional<std::string> resolve(const std::string& base, std::string_view href) {
  href = trim(href);
  if (href.empty() || !html_detail::is_article_href(href)) return std::nullopt;
  return resolve_url(base, iri_to_uri(href));
}

}  // namespace

const char* kind_name(FeedKind kind) {
  switch (kind) {
    case FeedKind::rss: return "rss";
    case FeedKind::atom: return "atom";
    case FeedKind::json: return "json";
    case FeedKind::unknown: break;
  }
  return "unknown";
}

FeedKind kind_of(FeedFormat format) {
  switch (format) {
    case FeedFormat::atom03:
    case FeedFormat::atom10: return FeedKind::atom;
    case FeedFormat::json10:
    case FeedFormat::json11: return FeedKind::json;
    case FeedFormat::html: return FeedKind::unknown;
    default: return FeedKind::rss;
  }
}

const char* found_by_name(FoundBy found_by) {
  switch (found_by) {
    case FoundBy::alternate_link: return "alternate_link";
    case FoundBy::page_link: return "page_link";
    case FoundBy::common_path: return "common_path";
    case FoundBy::address: break;
  }
  return "address";
}

std::vector<FeedCandidate> discover_feeds(std::string_view bytes, const ParseContext& context,
                                          const HtmlLimits& limits) {
  Collector found;
  std::string base = context.url;
  html_detail::HtmlTree tree;
  std::string message;
  if (html_detail::build_tree(bytes, context.content_type, limits, tree, message) == HtmlError::none) {
    base = html_detail::page_base(tree, context);
    for (const pugi::xpath_node& hit : tree.document.select_nodes("//link[@href]")) {
      const pugi::xml_node link = hit.node();
      if (!has_token(link.attribute("rel").value(), "alternate")) continue;
      const auto kind = kind_of_type(link.attribute("type").value());
      if (!kind) continue;
      found.add(resolve(base, link.attribute("href").value()), link.attribute("title").value(), *kind,
                FoundBy::alternate_link);
    }
    std::size_t page_links = 0;
    for (const pugi::xpath_node& hit : tree.document.select_nodes("//a[@href]")) {
      if (page_links == kMaxPageLinks) break;
      const pugi::xml_node anchor = hit.node();
      auto url = resolve(base, anchor.attribute("href").value());
      if (!url) continue;
      auto kind = kind_of_type(anchor.attribute("type").value());
      if (!kind) kind = kind_of_path(*url);
      if (!kind) continue;
      std::string title = anchor.attribute("title").value();
      if (trim(title).empty()) title = html_detail::node_text(anchor);
      found.add(std::move(url), title, *kind, FoundBy::page_link);
      ++page_links;
    }
  }
  for (std::string_view path : kCommonPaths) {
    found.add(resolve(base, path), "", kind_of_path(path).value_or(FeedKind::unknown), FoundBy::common_path);
  }
  return found.take();
}

}  // namespace tinhop
