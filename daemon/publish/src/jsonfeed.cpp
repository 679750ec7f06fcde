// JSON Feed 1.1 (https://jsonfeed.org/version/1.1) with a `_tinhop` extension per item.
#include <boost/json.hpp>

#include "tinhop/publish/render.hpp"

namespace tinhop::publish {
namespace {

namespace json = boost::json;

json::string s(std::string_view text) {
  return json::string(clean_text(text));
}

json::object publisher(std::int64_t id, std::string_view title, std::string_view feed_url,
                       const std::optional<std::string>& home) {
  json::object o;
  o["id"] = id;
  o["title"] = s(title);
  o["feed_url"] = s(feed_url);
  if (home) o["home_page_url"] = s(*home);
  return o;
}

}  // namespace

std::string render_json(const FeedPage& page) {
  const FeedMeta& m = page.meta;
  json::object feed;
  feed["version"] = "https://jsonfeed.org/version/1.1";
  feed["title"] = s(m.title);
  if (!m.subtitle.empty()) feed["description"] = s(m.subtitle);
  feed["home_page_url"] = s(m.html_url);
  feed["feed_url"] = s(m.self_url);
  if (m.next_url) feed["next_url"] = s(*m.next_url);
  if (!m.hub_url.empty()) feed["hubs"] = json::array{json::object{{"type", "WebSub"}, {"url", s(m.hub_url)}}};
  if (!m.language.empty()) feed["language"] = s(m.language);
  json::array items;
  for (const Entry& e : page.entries) {
    json::object item;
    item["id"] = s(e.id);
    if (e.link) item["url"] = s(*e.link);
    item["title"] = s(e.title);
    // JSON Feed requires content_html or content_text: a title-only entry carries an empty text.
    if (!e.content_html.empty()) {
      item["content_html"] = s(e.content_html);
    } else if (e.policy == Policy::summary && !e.summary_html.empty()) {
      item["content_text"] = s(e.summary_html);
    } else {
      item["content_text"] = "";
    }
    if (!e.summary_html.empty()) item["summary"] = s(e.summary_html);
    // The feeds republish the picture only with the full article, as they always did.
    if (e.image && e.policy == Policy::full) item["image"] = s(*e.image);
    item["date_published"] = rfc3339(e.published);
    item["date_modified"] = rfc3339(e.updated);
    if (!e.authors.empty()) {
      json::array authors;
      for (const auto& a : e.authors) authors.push_back(json::object{{"name", s(a)}});
      item["authors"] = std::move(authors);
    }
    if (!e.categories.empty()) {
      json::array tags;
      for (const auto& c : e.categories) tags.push_back(s(c));
      item["tags"] = std::move(tags);
    }
    if (!e.enclosures.empty()) {
      json::array attachments;
      for (const Enclosure& enc : e.enclosures) {
        json::object a{{"url", s(enc.url)}, {"mime_type", s(enc.type.value_or("application/octet-stream"))}};
        if (enc.length) a["size_in_bytes"] = *enc.length;
        attachments.push_back(std::move(a));
      }
      item["attachments"] = std::move(attachments);
    }
    json::object ext;
    ext["source"] = publisher(e.origin.source_id, e.origin.title, e.origin.feed_url, e.origin.site_link);
    json::array also;
    for (const AlsoPublished& a : e.also) {
      json::object o = publisher(a.source_id, a.title, a.feed_url, std::nullopt);
      if (a.link) o["url"] = s(*a.link);
      o["date_published"] = rfc3339(a.published);
      also.push_back(std::move(o));
    }
    ext["also_published_by"] = std::move(also);
    ext["policy"] = e.policy == Policy::full ? "full" : e.policy == Policy::summary ? "summary" : "title";
    if (e.ranking)
      ext["top"] = json::object{{"publishers", e.ranking->publishers}, {"score", e.ranking->score}};
    item["_tinhop"] = std::move(ext);
    items.push_back(std::move(item));
  }
  feed["items"] = std::move(items);
  std::string out = json::serialize(feed);
  out += '\n';
  return out;
}

}  // namespace tinhop::publish
