// RSS 2.0, with the Atom namespace for self/next links and "also published by".
#include "tinhop/publish/render.hpp"
#include "xml_writer.hpp"

namespace tinhop::publish {

std::string render_rss(const FeedPage& page) {
  const FeedMeta& m = page.meta;
  XmlWriter w;
  w.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
  w.raw(
      "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" "
      "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n");
  w.element("title", m.title);
  w.element("link", m.html_url);
  w.element("description", m.subtitle.empty() ? m.title : m.subtitle);
  if (!m.language.empty()) w.element("language", m.language);
  w.element("lastBuildDate", rfc822(m.updated));
  w.element("generator", "tinhop " + m.generator_version);
  w.link("self", m.self_url, "application/rss+xml", {}, "atom:");
  w.link("first", m.first_url, "application/rss+xml", {}, "atom:");
  if (m.next_url) {
    w.link("next", *m.next_url, "application/rss+xml", {}, "atom:");
    w.link("prev-archive", *m.next_url, "application/rss+xml", {}, "atom:");
  }
  for (const Entry& e : page.entries) {
    w.raw("<item>\n");
    w.element("title", e.title);
    if (e.link) w.element("link", *e.link);
    w.raw("<guid isPermaLink=\"false\">");
    w.text(e.id);
    w.raw("</guid>\n");
    w.element("pubDate", rfc822(e.published));
    for (const std::string& a : e.authors) w.element("dc:creator", a);
    for (const std::string& c : e.categories) w.element("category", c);
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
    w.text(e.origin.title);
    w.raw("</source>\n</item>\n");
  }
  w.raw("</channel>\n</rss>\n");
  return w.take();
}

}  // namespace tinhop::publish
