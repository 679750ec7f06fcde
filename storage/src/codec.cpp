#include <boost/json.hpp>

#include "common.hpp"

namespace tinhop::storage {
namespace json = boost::json;
namespace {

void put(json::object& object, const char* key, const std::optional<std::string>& value) {
  if (value) object[key] = *value;
}

std::optional<std::string> get(const json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

}  // namespace

std::string encode_extra(const Item& item, const std::optional<std::string>& feed_language) {
  json::object out;
  if (!item.authors.empty()) {
    json::array authors;
    for (const auto& author : item.authors) {
      json::object a;
      put(a, "name", author.name);
      put(a, "email", author.email);
      put(a, "uri", author.uri);
      authors.push_back(std::move(a));
    }
    out["authors"] = std::move(authors);
  }
  if (!item.categories.empty()) {
    json::array categories;
    for (const auto& category : item.categories) categories.emplace_back(category);
    out["categories"] = std::move(categories);
  }
  if (!item.enclosures.empty()) {
    json::array enclosures;
    for (const auto& enclosure : item.enclosures) {
      json::object e;
      e["url"] = enclosure.url;
      put(e, "type", enclosure.type);
      if (enclosure.length) e["length"] = *enclosure.length;
      enclosures.push_back(std::move(e));
    }
    out["enclosures"] = std::move(enclosures);
  }
  put(out, "thumbnail", item.thumbnail);
  put(out, "comments", item.comments);
  put(out, "language", item.extras && item.extras->language ? item.extras->language : feed_language);
  if (out.empty()) return {};
  return json::serialize(out);
}

void decode_extra(std::string_view text, StoredItem& item) {
  if (text.empty()) return;
  boost::system::error_code ec;
  const json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return;
  const auto& object = value.get_object();
  if (const auto* authors = object.if_contains("authors"); authors != nullptr && authors->is_array()) {
    for (const auto& a : authors->get_array()) {
      if (!a.is_object()) continue;
      item.authors.push_back(
          Author{get(a.get_object(), "name"), get(a.get_object(), "email"), get(a.get_object(), "uri")});
    }
  }
  if (const auto* categories = object.if_contains("categories");
      categories != nullptr && categories->is_array()) {
    for (const auto& c : categories->get_array()) {
      if (c.is_string()) item.categories.emplace_back(c.get_string());
    }
  }
  if (const auto* enclosures = object.if_contains("enclosures");
      enclosures != nullptr && enclosures->is_array()) {
    for (const auto& e : enclosures->get_array()) {
      if (!e.is_object()) continue;
      const auto& o = e.get_object();
      Enclosure enclosure;
      enclosure.url = get(o, "url").value_or("");
      enclosure.type = get(o, "type");
      if (const auto* length = o.if_contains("length"); length != nullptr && length->is_int64()) {
        enclosure.length = length->get_int64();
      }
      item.enclosures.push_back(std::move(enclosure));
    }
  }
  item.thumbnail = get(object, "thumbnail");
  item.comments = get(object, "comments");
  item.language = get(object, "language");
}

std::string encode_headers(const std::vector<Header>& headers) {
  json::array out;
  for (const auto& header : headers)
    out.push_back(json::array{json::string(header.name), json::string(header.value)});
  return json::serialize(out);
}

std::vector<Header> decode_headers(std::string_view text) {
  std::vector<Header> headers;
  boost::system::error_code ec;
  const json::value value = json::parse(text, ec);
  if (ec || !value.is_array()) return headers;
  for (const auto& pair : value.get_array()) {
    if (!pair.is_array() || pair.get_array().size() != 2) continue;
    const auto& p = pair.get_array();
    if (!p[0].is_string() || !p[1].is_string()) continue;
    headers.push_back(Header{std::string(p[0].get_string()), std::string(p[1].get_string())});
  }
  return headers;
}

}  // namespace tinhop::storage
