#include "tinhop/websub/feed_entries.hpp"

#include <boost/json.hpp>
#include <pugixml.hpp>

#include <functional>

namespace tinhop::websub {

namespace {

enum class Format { atom, rss, json };

std::optional<Format> format_of(std::string_view content_type) {
  if (content_type.starts_with("application/atom+xml")) return Format::atom;
  if (content_type.starts_with("application/rss+xml")) return Format::rss;
  if (content_type.starts_with("application/feed+json")) return Format::json;
  return std::nullopt;
}

std::size_t fingerprint(std::string_view text) {
  return std::hash<std::string_view>{}(text);
}

struct StringWriter : pugi::xml_writer {
  std::string out;
  void write(const void* data, std::size_t size) override {
    out.append(static_cast<const char*>(data), size);
  }
};

// The declaration is kept so that a cut document reads like the whole one.
constexpr unsigned kParse = pugi::parse_default | pugi::parse_declaration;

bool load(pugi::xml_document& doc, std::string_view body) {
  return doc.load_buffer(body.data(), body.size(), kParse, pugi::encoding_utf8);
}

// Where the entries of an XML feed are; a null node when the document is not that format.
pugi::xml_node entries_parent(const pugi::xml_document& doc, Format format) {
  return format == Format::atom ? doc.child("feed") : doc.child("rss").child("channel");
}

const char* entry_name(Format format) {
  return format == Format::atom ? "entry" : "item";
}

std::string entry_id(pugi::xml_node entry, Format format) {
  if (format == Format::atom) return entry.child_value("id");
  if (entry.child("guid")) return entry.child_value("guid");
  return entry.child_value("link");
}

std::optional<Fingerprints> read_xml(std::string_view body, Format format) {
  pugi::xml_document doc;
  if (!load(doc, body)) return std::nullopt;
  const pugi::xml_node parent = entries_parent(doc, format);
  if (!parent) return std::nullopt;
  Fingerprints entries;
  for (pugi::xml_node entry : parent.children(entry_name(format))) {
    StringWriter text;
    entry.print(text, "", pugi::format_raw);
    entries[entry_id(entry, format)] = fingerprint(text.out);
  }
  return entries;
}

// The items array of a JSON Feed; null when `document` is not one.
boost::json::array* json_items(boost::json::value& document) {
  auto* feed = document.if_object();
  if (!feed) return nullptr;
  auto* items = feed->if_contains("items");
  return items ? items->if_array() : nullptr;
}

std::string json_id(const boost::json::value& item) {
  const auto* object = item.if_object();
  const auto* id = object ? object->if_contains("id") : nullptr;
  return id && id->is_string() ? std::string(id->get_string()) : std::string();
}

std::optional<Fingerprints> read_json(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value document = boost::json::parse(body, ec);
  auto* items = ec ? nullptr : json_items(document);
  if (!items) return std::nullopt;
  Fingerprints entries;
  for (const boost::json::value& item : *items)
    entries[json_id(item)] = fingerprint(boost::json::serialize(item));
  return entries;
}

}  // namespace

std::optional<Fingerprints> read_entries(std::string_view content_type, std::string_view body) {
  const auto format = format_of(content_type);
  if (!format) return std::nullopt;
  return *format == Format::json ? read_json(body) : read_xml(body, *format);
}

std::set<std::string> entries_beyond(const Fingerprints& now, const Fingerprints& had) {
  std::set<std::string> ids;
  for (const auto& [id, print] : now) {
    const auto known = had.find(id);
    if (known == had.end() || known->second != print) ids.insert(id);
  }
  return ids;
}

std::string document_with(std::string_view content_type, std::string_view body,
                          const std::set<std::string>& ids) {
  const auto format = format_of(content_type);
  if (!format) return std::string(body);
  if (*format == Format::json) {
    boost::system::error_code ec;
    boost::json::value document = boost::json::parse(body, ec);
    auto* items = ec ? nullptr : json_items(document);
    if (!items) return std::string(body);
    boost::json::array kept;
    for (boost::json::value& item : *items) {
      if (ids.contains(json_id(item))) kept.push_back(std::move(item));
    }
    *items = std::move(kept);
    return boost::json::serialize(document);
  }
  pugi::xml_document doc;
  if (!load(doc, body)) return std::string(body);
  pugi::xml_node parent = entries_parent(doc, *format);
  for (pugi::xml_node entry = parent.child(entry_name(*format)); entry;) {
    const pugi::xml_node next = entry.next_sibling(entry_name(*format));
    if (!ids.contains(entry_id(entry, *format))) parent.remove_child(entry);
    entry = next;
  }
  StringWriter out;
  doc.save(out, "", pugi::format_raw | pugi::format_no_declaration);
  return out.out;
}

}  // namespace tinhop::websub
