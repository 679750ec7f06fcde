#include "tinhop/config/opml.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <pugixml.hpp>
#include <sstream>

#include "tinhop/config/units.hpp"

namespace tinhop::config {

namespace {

constexpr std::size_t max_document_bytes = 32 * 1024 * 1024;
constexpr int max_depth = 32;

std::string categories_json(const std::vector<std::string>& categories) {
  boost::json::array array;
  for (const std::string& category : categories) array.emplace_back(category);
  return boost::json::serialize(array);
}

std::string headers_json(const std::vector<std::pair<std::string, std::string>>& headers) {
  boost::json::array array;
  for (const auto& [name, value] : headers) array.push_back(boost::json::array{name.c_str(), value.c_str()});
  return boost::json::serialize(array);
}

// The outline's tinhop namespace prefix ("tinhop" unless the document binds it otherwise).
std::string namespace_prefix(const pugi::xml_node& opml) {
  for (const pugi::xml_attribute& attribute : opml.attributes()) {
    std::string_view name = attribute.name();
    if (name.rfind("xmlns:", 0) == 0 && attribute.value() == opml_namespace)
      return std::string(name.substr(6));
  }
  return "tinhop";
}

struct Reading {
  OpmlImport& result;
  std::string prefix;                         // "tinhop:"
  std::map<std::string, std::uint32_t> seen;  // canonical URL -> outline number
  std::uint32_t count = 0;
};

void problem(Reading& reading, const std::string& url, std::string message) {
  reading.result.problems.push_back({reading.count, url, std::move(message)});
}

// Parses tinhop:* attributes into `s`; false (with a problem) on the first bad one.
bool read_tinhop_attributes(Reading& reading, const pugi::xml_node& outline, const std::string& url,
                            SourceSettings& s) {
  for (const pugi::xml_attribute& attribute : outline.attributes()) {
    std::string_view name = attribute.name();
    if (name.rfind(reading.prefix, 0) != 0) continue;
    std::string_view key = name.substr(reading.prefix.size());
    std::string value = attribute.value();
    auto fail = [&](const std::string& why) {
      problem(reading, url, std::string(name) + ": " + why);
      return false;
    };
    auto duration = [&](std::optional<std::chrono::seconds>& out) {
      out = parse_duration(value);
      return out ? true : fail("invalid duration \"" + value + "\"");
    };
    if (key == "type") {
      auto type = source_type_from(value);
      if (!type) return fail("unknown value \"" + value + "\" (expected feed or html)");
      s.type = *type;
    } else if (key == "interval") {
      if (!duration(s.interval)) return false;
    } else if (key == "min-interval") {
      if (!duration(s.min_interval)) return false;
    } else if (key == "max-interval") {
      if (!duration(s.max_interval)) return false;
    } else if (key == "time-zone") {
      s.time_zone = value;
    } else if (key == "date-order") {
      s.date_order = date_order_from(value);
      if (!s.date_order) return fail("unknown value \"" + value + "\" (expected auto, dmy or mdy)");
    } else if (key == "republication") {
      s.republication = republication_from(value);
      if (!s.republication) return fail("unknown value \"" + value + "\" (expected full, summary or title)");
    } else if (key == "enabled") {
      if (value != "true" && value != "false") return fail("expected true or false, got \"" + value + "\"");
      s.enabled = value == "true";
    } else if (key == "follow-links") {
      if (value != "true" && value != "false") return fail("expected true or false, got \"" + value + "\"");
      s.follow_links = value == "true";
    } else if (key == "websub") {
      if (value != "auto" && value != "off") return fail("expected auto or off, got \"" + value + "\"");
      s.websub = value == "auto";
    } else if (key == "categories" || key == "headers") {
      boost::system::error_code ec;
      boost::json::value json = boost::json::parse(value, ec);
      if (ec || !json.is_array()) return fail("expected a JSON array");
      std::vector<std::string> categories;
      std::vector<std::pair<std::string, std::string>> headers;
      for (const boost::json::value& element : json.as_array()) {
        if (key == "categories" && element.is_string()) {
          categories.emplace_back(element.as_string());
        } else if (key == "headers" && element.is_array() && element.as_array().size() == 2 &&
                   element.as_array()[0].is_string() && element.as_array()[1].is_string()) {
          headers.emplace_back(element.as_array()[0].as_string(), element.as_array()[1].as_string());
        } else {
          return fail(key == "categories" ? "expected a JSON array of strings"
                                          : "expected a JSON array of [name, value] pairs");
        }
      }
      if (key == "categories") s.categories = std::move(categories);
      if (key == "headers") s.headers = std::move(headers);
    } else if (key == "html-item") {
      s.selectors.item = value;
    } else if (key == "html-title") {
      s.selectors.title = value;
    } else if (key == "html-link") {
      s.selectors.link = value;
    } else if (key == "html-date") {
      s.selectors.date = value;
    } else if (key == "html-summary") {
      s.selectors.summary = value;
    } else if (key == "html-image") {
      s.selectors.image = value;
    } else if (key == "html-date-format") {
      s.selectors.date_format = value;
    } else if (key != "url") {
      return fail("unknown attribute");
    }
  }
  return true;
}

void read_feed(Reading& reading, const pugi::xml_node& outline, const std::string& folder) {
  ++reading.count;
  std::string raw = outline.attribute("xmlUrl").value();
  if (raw.empty()) raw = outline.attribute((reading.prefix + "url").c_str()).value();
  UrlCheck url = check_source_url(raw);
  if (!url.error.empty()) return problem(reading, raw, "url: " + url.error);
  SourceSettings s;
  s.url = url.canonical;
  std::string title = outline.attribute("title").value();
  // Exporters without a title put the URL in the required `text`: that is no title. tinhop's
  // own export writes `title` exactly when the source has one (`text` may be the feed's).
  const bool ours = outline.attribute((reading.prefix + "type").c_str());
  if (title.empty() && !ours && outline.attribute("text").value() != raw)
    title = outline.attribute("text").value();
  if (!title.empty()) s.title = title;
  bool has_tinhop_categories = false;
  for (const pugi::xml_attribute& attribute : outline.attributes()) {
    if (std::string_view(attribute.name()) == reading.prefix + "categories") has_tinhop_categories = true;
  }
  if (!has_tinhop_categories) {
    // OPML 2.0: comma-separated, slash-delimited category strings.
    std::stringstream list(outline.attribute("category").value());
    for (std::string category; std::getline(list, category, ',');) {
      while (!category.empty() && (category.front() == '/' || category.front() == ' ')) category.erase(0, 1);
      while (!category.empty() && category.back() == ' ') category.pop_back();
      if (!category.empty()) s.categories.push_back(category);
    }
    if (!folder.empty() &&
        std::find(s.categories.begin(), s.categories.end(), folder) == s.categories.end()) {
      s.categories.push_back(folder);
    }
  }
  if (!read_tinhop_attributes(reading, outline, raw, s)) return;
  std::vector<std::string> problems = check_settings(s);
  if (!problems.empty()) return problem(reading, raw, problems.front());
  auto [it, inserted] = reading.seen.try_emplace(s.url, reading.count);
  if (!inserted) {
    return problem(
        reading, raw,
        "url: duplicate of outline " + std::to_string(it->second) + " (same URL after canonicalization)");
  }
  reading.result.sources.push_back(std::move(s));
  reading.result.outlines.push_back(reading.count);
}

void read_outlines(Reading& reading, const pugi::xml_node& parent, const std::string& folder, int depth) {
  for (const pugi::xml_node& outline : parent.children("outline")) {
    bool is_feed = outline.attribute("xmlUrl") || outline.attribute((reading.prefix + "url").c_str());
    if (is_feed) {
      read_feed(reading, outline, folder);
    } else if (depth >= max_depth) {
      reading.result.problems.push_back(
          {reading.count, {}, "outline: nested deeper than 32 levels, skipped"});
    } else {
      std::string name = outline.attribute("title").value();
      if (name.empty()) name = outline.attribute("text").value();
      read_outlines(reading, outline, name.empty() ? folder : name, depth + 1);
    }
  }
}

}  // namespace

std::string export_opml(const std::vector<SourceSettings>& sources, std::string_view title,
                        const std::vector<std::string>& names) {
  pugi::xml_document document;
  pugi::xml_node opml = document.append_child("opml");
  opml.append_attribute("version") = "2.0";
  opml.append_attribute("xmlns:tinhop") = std::string(opml_namespace).c_str();
  opml.append_child("head").append_child("title").text() = std::string(title).c_str();
  pugi::xml_node body = opml.append_child("body");
  // Readers (Miniflux, FreshRSS, newsboat) show folders, not the category attribute: each
  // source goes into the folder of its first category, its full list kept in tinhop:categories.
  std::vector<std::pair<std::string, pugi::xml_node>> folders;
  auto parent_of = [&](const SourceSettings& s) {
    if (s.categories.empty()) return body;
    const std::string& name = s.categories.front();
    for (const auto& [folder, node] : folders) {
      if (folder == name) return node;
    }
    pugi::xml_node folder = body.append_child("outline");
    folder.append_attribute("text") = name.c_str();
    folder.append_attribute("title") = name.c_str();
    folders.emplace_back(name, folder);
    return folder;
  };
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const SourceSettings& s = sources[i];
    pugi::xml_node outline = parent_of(s).append_child("outline");
    std::string name = i < names.size() && !names[i].empty() ? names[i] : s.title.value_or(s.url);
    outline.append_attribute("type") = s.type == SourceType::feed ? "rss" : "link";
    outline.append_attribute("text") = name.c_str();
    if (s.title) outline.append_attribute("title") = s.title->c_str();
    if (s.type == SourceType::feed) {
      outline.append_attribute("xmlUrl") = s.url.c_str();
    } else {
      outline.append_attribute("url") = s.url.c_str();
      outline.append_attribute("tinhop:url") = s.url.c_str();
    }
    if (!s.categories.empty()) {
      std::string list;
      for (const std::string& category : s.categories) list += (list.empty() ? "/" : ",/") + category;
      outline.append_attribute("category") = list.c_str();
      outline.append_attribute("tinhop:categories") = categories_json(s.categories).c_str();
    }
    auto put = [&](const char* name, std::string_view value) {
      outline.append_attribute(name) = std::string(value).c_str();
    };
    put("tinhop:type", to_string(s.type));
    if (s.interval) put("tinhop:interval", format_duration(*s.interval));
    if (s.min_interval) put("tinhop:min-interval", format_duration(*s.min_interval));
    if (s.max_interval) put("tinhop:max-interval", format_duration(*s.max_interval));
    if (s.time_zone) put("tinhop:time-zone", *s.time_zone);
    if (s.date_order) put("tinhop:date-order", to_string(*s.date_order));
    if (s.republication) put("tinhop:republication", to_string(*s.republication));
    put("tinhop:enabled", s.enabled ? "true" : "false");
    if (!s.headers.empty()) put("tinhop:headers", headers_json(s.headers));
    if (!s.selectors.item.empty()) put("tinhop:html-item", s.selectors.item);
    if (!s.selectors.title.empty()) put("tinhop:html-title", s.selectors.title);
    if (!s.selectors.link.empty()) put("tinhop:html-link", s.selectors.link);
    if (!s.selectors.date.empty()) put("tinhop:html-date", s.selectors.date);
    if (!s.selectors.summary.empty()) put("tinhop:html-summary", s.selectors.summary);
    if (!s.selectors.image.empty()) put("tinhop:html-image", s.selectors.image);
    if (!s.selectors.date_format.empty()) put("tinhop:html-date-format", s.selectors.date_format);
    if (s.follow_links) put("tinhop:follow-links", "true");
    if (!s.websub) put("tinhop:websub", "off");
  }
  std::ostringstream out;
  document.save(out, "  ", pugi::format_default | pugi::format_no_declaration, pugi::encoding_utf8);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + out.str();
}

OpmlImport import_opml(std::string_view text) {
  OpmlImport result;
  if (text.size() > max_document_bytes) {
    result.error = "document larger than " + std::to_string(max_document_bytes) + " bytes";
    return result;
  }
  pugi::xml_document document;
  pugi::xml_parse_result parsed = document.load_buffer(text.data(), text.size(), pugi::parse_default);
  if (!parsed) {
    result.error = std::string("not well-formed XML: ") + parsed.description() + " at byte " +
                   std::to_string(parsed.offset);
    return result;
  }
  pugi::xml_node opml = document.child("opml");
  if (!opml) {
    result.error = "not an OPML document (the root element is not <opml>)";
    return result;
  }
  Reading reading{result, namespace_prefix(opml) + ":", {}, 0};
  read_outlines(reading, opml.child("body"), {}, 0);
  return result;
}

}  // namespace tinhop::config
