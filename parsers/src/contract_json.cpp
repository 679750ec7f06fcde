#include "tinhop/parsers/contract_json.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cstdio>

namespace tinhop {
namespace {

namespace json = boost::json;

json::value optional_string(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return json::string(*text);
}

json::value optional_instant(const std::optional<Instant>& instant) {
  if (!instant) return nullptr;
  return json::string(format_rfc3339(*instant));
}

const char* path_name(ParsePath path) {
  switch (path) {
    case ParsePath::strict: return "strict";
    case ParsePath::repaired: return "repaired";
    case ParsePath::tag_soup: return "tag_soup";
    case ParsePath::json: return "json";
    case ParsePath::html: return "html";
  }
  return "unknown";
}

json::array people_array(const std::vector<Author>& people) {
  json::array array;
  for (const Author& person : people) {
    array.push_back(json::object{{"name", optional_string(person.name)},
                                 {"email", optional_string(person.email)},
                                 {"uri", optional_string(person.uri)}});
  }
  return array;
}

void put_if(json::object& object, std::string_view key, const std::optional<std::string>& text) {
  if (text) object[key] = json::string(*text);
}

// The optional fields beyond the contract's, present only when the item has them.
void put_extras(json::object& object, const ItemExtras& extras) {
  put_if(object, "subtitle", extras.subtitle);
  put_if(object, "rights", extras.rights);
  put_if(object, "language", extras.language);
  if (!extras.contributors.empty()) object["contributors"] = people_array(extras.contributors);
  if (!extras.credits.empty()) {
    json::array credits;
    for (const Credit& credit : extras.credits) {
      credits.push_back(json::object{{"name", credit.name},
                                     {"role", optional_string(credit.role)},
                                     {"scheme", optional_string(credit.scheme)}});
    }
    object["credits"] = std::move(credits);
  }
  if (extras.explicit_content) object["explicit"] = *extras.explicit_content;
  if (extras.duration_seconds) object["duration_seconds"] = *extras.duration_seconds;
  if (extras.season) object["season"] = *extras.season;
  if (extras.episode) object["episode"] = *extras.episode;
  if (extras.point) {
    object["point"] =
        json::object{{"latitude", extras.point->latitude}, {"longitude", extras.point->longitude}};
  }
  if (extras.rating) {
    object["media_rating"] = json::object{{"value", extras.rating->value}, {"scheme", extras.rating->scheme}};
  }
  if (extras.restriction) {
    json::array values;
    for (const std::string& value : extras.restriction->values) values.emplace_back(json::string(value));
    object["media_restriction"] = json::object{{"relationship", extras.restriction->relationship},
                                               {"type", optional_string(extras.restriction->type)},
                                               {"values", std::move(values)}};
  }
  if (extras.license) {
    object["media_license"] = json::object{{"name", optional_string(extras.license->name)},
                                           {"url", optional_string(extras.license->url)},
                                           {"type", optional_string(extras.license->type)}};
  }
  if (extras.source) {
    object["source"] = json::object{{"title", optional_string(extras.source->title)},
                                    {"link", optional_string(extras.source->link)},
                                    {"id", optional_string(extras.source->id)}};
  }
}

json::object item_object(const Item& item) {
  json::object object;
  object["id"] = optional_string(item.id);
  object["link"] = optional_string(item.link);
  object["title"] = optional_string(item.title);
  object["summary"] = optional_string(item.summary);
  object["content"] = optional_string(item.content);
  object["published"] = optional_instant(item.published);
  object["updated"] = optional_instant(item.updated);
  object["authors"] = people_array(item.authors);
  json::array categories;
  for (const std::string& category : item.categories) categories.emplace_back(json::string(category));
  object["categories"] = std::move(categories);
  json::array enclosures;
  for (const Enclosure& enclosure : item.enclosures) {
    json::object added{
        {"url", enclosure.url}, {"type", optional_string(enclosure.type)}, {"length", nullptr}};
    if (enclosure.length) added["length"] = *enclosure.length;
    if (enclosure.medium) added["medium"] = *enclosure.medium;
    enclosures.push_back(std::move(added));
  }
  object["enclosures"] = std::move(enclosures);
  object["thumbnail"] = optional_string(item.thumbnail);
  object["comments"] = optional_string(item.comments);
  if (item.date_in_future) object["date_in_future"] = true;
  if (item.extras) put_extras(object, *item.extras);
  return object;
}

}  // namespace

std::string format_rfc3339(Instant instant) {
  const auto days = std::chrono::floor<std::chrono::days>(instant);
  const std::chrono::year_month_day date{days};
  const std::chrono::hh_mm_ss time{instant - days};
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return text;
}

std::string to_contract_json(const ParseResult& result) {
  const Feed& feed = result.feed;
  json::object object;
  object["format"] = format_name(feed.format);
  object["encoding"] = feed.encoding;
  object["title"] = optional_string(feed.title);
  object["link"] = optional_string(feed.link);
  object["description"] = optional_string(feed.description);
  object["language"] = optional_string(feed.language);
  object["updated"] = optional_instant(feed.updated);
  // Optional fields beyond the contract's, present only when the feed has them.
  if (feed.published) object["published"] = optional_instant(feed.published);
  put_if(object, "id", feed.id);
  put_if(object, "rights", feed.rights);
  put_if(object, "image", feed.image);
  put_if(object, "icon", feed.icon);
  put_if(object, "generator", feed.generator);
  if (feed.explicit_content) object["explicit"] = *feed.explicit_content;
  if (!feed.authors.empty()) object["authors"] = people_array(feed.authors);
  if (!feed.contributors.empty()) object["contributors"] = people_array(feed.contributors);
  if (!feed.categories.empty()) {
    json::array categories;
    for (const std::string& category : feed.categories) categories.emplace_back(json::string(category));
    object["categories"] = std::move(categories);
  }
  json::array items;
  items.reserve(feed.items.size());
  for (const Item& item : feed.items) items.emplace_back(item_object(item));
  object["items"] = std::move(items);
  json::array warnings;
  for (const std::string& warning : result.warnings) warnings.emplace_back(json::string(warning));
  object["warnings"] = std::move(warnings);
  object["path"] = path_name(result.path);
  const DateOrder order = result.date_order.order;
  object["date_order"] = order == DateOrder::dmy   ? json::value("dmy")
                         : order == DateOrder::mdy ? json::value("mdy")
                                                   : json::value(nullptr);
  object["date_order_from"] = basis_name(result.date_order.basis);
  object["dates_not_understood"] = result.dates_not_understood;
  return json::serialize(object);
}

}  // namespace tinhop
