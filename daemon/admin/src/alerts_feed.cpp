#include "alerts_feed.hpp"

#include <pugixml.hpp>

#include <sstream>

#include "tinhop/parsers/contract_json.hpp"
#include "tinhop/parsers/text.hpp"

namespace tinhop::admin {

namespace {

// `text` as XML 1.0 takes it: a source's title comes from its feed and an error from its
// server, and pugixml writes invalid UTF-8 and control characters as they are, which makes
// the whole feed unreadable. Invalid UTF-8 becomes U+FFFD; C0 controls but tab, LF and CR,
// DEL and U+FFFE/U+FFFF are dropped (NUL among them, which would cut the text short).
std::string xml_text(std::string_view text) {
  const std::string valid = to_nfc(text);
  std::string out;
  out.reserve(valid.size());
  for (std::size_t i = 0; i < valid.size(); ++i) {
    const auto c = static_cast<unsigned char>(valid[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) continue;
    if (c == 0xEF && valid.compare(i + 1, 1, "\xBF") == 0 && i + 2 < valid.size() &&
        (valid[i + 2] == '\xBE' || valid[i + 2] == '\xBF')) {
      i += 2;
      continue;
    }
    out += valid[i];
  }
  return out;
}

void text_element(pugi::xml_node parent, const char* name, std::string_view text) {
  parent.append_child(name).text().set(xml_text(text).c_str());
}

}  // namespace

std::string alerts_atom(const std::vector<storage::AlertEvent>& events,
                        const std::map<std::int64_t, std::optional<storage::Source>>& sources, Instant now) {
  pugi::xml_document document;
  pugi::xml_node declaration = document.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "utf-8";
  pugi::xml_node feed = document.append_child("feed");
  feed.append_attribute("xmlns") = "http://www.w3.org/2005/Atom";
  text_element(feed, "id", "urn:tinhop:alerts");
  text_element(feed, "title", "tinhop: source alerts");
  text_element(feed, "updated", format_rfc3339(events.empty() ? now : events.front().at));
  text_element(feed.append_child("author"), "name", "tinhop");
  for (const storage::AlertEvent& event : events) {
    const auto found = sources.find(event.source_id);
    const std::optional<storage::Source>* source = found == sources.end() ? nullptr : &found->second;
    std::string name = "source " + std::to_string(event.source_id) + " (removed)";
    if (source && *source) {
      const storage::Source& s = **source;
      name = !s.settings.title.empty() ? s.settings.title : s.feed_title.value_or(s.settings.url);
    }
    pugi::xml_node entry = feed.append_child("entry");
    text_element(entry, "id", "urn:tinhop:alert:" + std::to_string(event.id));
    text_element(entry, "title", event.kind + ": " + name);
    text_element(entry, "updated", format_rfc3339(event.at));
    if (source && *source) {
      pugi::xml_node link = entry.append_child("link");
      link.append_attribute("href") = xml_text((*source)->settings.url).c_str();
    }
    entry.append_child("category").append_attribute("term") = xml_text(event.kind).c_str();
    text_element(entry, "summary", event.detail);
  }
  std::ostringstream out;
  document.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

}  // namespace tinhop::admin
