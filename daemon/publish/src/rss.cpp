// RSS 2.0, with the Atom namespace for self/next links and "also published by".
#include "tinhop/publish/render.hpp"

#include <string_view>

#include "xml_writer.hpp"

namespace tinhop::publish {
namespace {

// RSS never said whether <title> holds text or HTML, and readers do both: what a text
// reader shows, an HTML reader parses once more. Only `<` can open a tag there, so angle
// brackets become the look-alike single angle quotation marks U+2039/U+203A: both readings
// show "‹img›" and neither gets a live tag. Escaping them twice (&amp;lt;) would be safe
// too, but would show "&lt;" to every text reader. `&` is escaped once, for XML: an HTML
// reading can at most turn "&lt;" back into a displayed "<", which opens nothing.
// Used for every plain-text element (titles, names, categories).
std::string plain(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') {
      out += "\xE2\x80\xB9";  // ‹
    } else if (c == '>') {
      out += "\xE2\x80\xBA";  // ›
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string render_rss(const FeedPage& page) {
  const FeedMeta& m = page.meta;
  XmlWriter w;
  w.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
  w.raw(
      "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" "
      "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n");
  w.element("title", plain(m.title));
  w.element("link", m.html_url);
  w.element("description", plain(m.subtitle.empty() ? m.title : m.subtitle));
  if (!m.language.empty()) w.element("language", m.language);
  w.element("lastBuildDate", rfc822(m.updated));
  w.element("generator", "tinhop " + m.generator_version);
  w.link("self", m.self_url, "application/rss+xml", {}, "atom:");
  if (!m.hub_url.empty()) w.link("hub", m.hub_url, "", {}, "atom:");
  w.link("first", m.first_url, "application/rss+xml", {}, "atom:");
  if (m.next_url) {
    w.link("next", *m.next_url, "application/rss+xml", {}, "atom:");
    w.link("prev-archive", *m.next_url, "application/rss+xml", {}, "atom:");
  }
  for (const Entry& e : page.entries) {
    w.raw("<item>\n");
    w.element("title", plain(e.title));
    if (e.link) w.element("link", *e.link);
    w.raw("<guid isPermaLink=\"false\">");
    w.text(e.id);
    w.raw("</guid>\n");
    w.element("pubDate", rfc822(e.published));
    for (const std::string& a : e.authors) w.element("dc:creator", plain(a));
    for (const std::string& c : e.categories) w.element("category", plain(c));
    // RSS readers show <description>: the summary when there is one, else the body.
    // The summary policy's excerpt is plain text, and <description> is HTML: escape it once
    // more so a "<" in the text stays text.
    std::string description = e.summary_html.empty() ? e.content_html : e.summary_html;
    if (e.policy == Policy::summary) {
      std::string html;
      append_escaped(html, description);
      description = std::move(html);
    }
    if (!description.empty()) w.element("description", description);
    if (!e.content_html.empty()) w.element("content:encoded", e.content_html);
    for (const Enclosure& enc : e.enclosures) {
      w.raw("<enclosure");
      w.attr("url", enc.url);
      w.attr("length", std::to_string(enc.length.value_or(0)));
      w.attr("type", enc.type.value_or("application/octet-stream"));
      w.raw("/>\n");
    }
    for (const AlsoPublished& a : e.also) {
      if (a.link) w.link("related", *a.link, "text/html", a.title, "atom:");
    }
    w.raw("<source");
    w.attr("url", e.origin.feed_url);
    w.raw(">");
    w.text(plain(e.origin.title));
    w.raw("</source>\n</item>\n");
  }
  w.raw("</channel>\n</rss>\n");
  return w.take();
}

}  // namespace tinhop::publish
