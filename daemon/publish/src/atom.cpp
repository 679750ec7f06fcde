// Atom 1.0 (RFC 4287) with RFC 5005 paging links.
#include "tinhop/publish/render.hpp"
#include "xml_writer.hpp"

namespace tinhop::publish {

std::string render_atom(const FeedPage& page) {
  const FeedMeta& m = page.meta;
  XmlWriter w;
  w.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
  w.raw("<feed xmlns=\"http://www.w3.org/2005/Atom\"");
  if (!m.language.empty()) w.attr("xml:lang", m.language);
  w.raw(">\n");
  w.element("id", m.id);
  w.element("title", m.title);
  if (!m.subtitle.empty()) w.element("subtitle", m.subtitle);
  w.element("updated", rfc3339(m.updated));
  w.link("self", m.self_url, "application/atom+xml");
  if (!m.hub_url.empty()) w.link("hub", m.hub_url, "");
  w.link("alternate", m.html_url, "text/html");
  w.link("first", m.first_url, "application/atom+xml");
  if (m.self_url != m.first_url) w.link("current", m.first_url, "application/atom+xml");
  if (m.next_url) {
    w.link("next", *m.next_url, "application/atom+xml");
    w.link("prev-archive", *m.next_url, "application/atom+xml");
  }
  w.raw("<author><name>");
  w.text(m.title);
  w.raw("</name></author>\n");
  w.raw("<generator uri=\"https://github.com/tinhop/tinhop\"");
  w.attr("version", m.generator_version);
  w.raw(">tinhop</generator>\n");
  for (const Entry& e : page.entries) {
    w.raw("<entry>\n");
    w.element("id", e.id);
    w.raw("<title type=\"text\">");
    w.text(e.title);
    w.raw("</title>\n");
    if (e.link) w.link("alternate", *e.link, "text/html");
    for (const AlsoPublished& a : e.also) {
      if (a.link) w.link("related", *a.link, "text/html", a.title);
    }
    for (const Enclosure& enc : e.enclosures) {
      w.raw("<link rel=\"enclosure\"");
      w.attr("href", enc.url);
      if (enc.type) w.attr("type", *enc.type);
      if (enc.length) w.attr("length", std::to_string(*enc.length));
      w.raw("/>\n");
    }
    w.element("published", rfc3339(e.published));
    w.element("updated", rfc3339(e.updated));
    for (const std::string& a : e.authors) {
      w.raw("<author><name>");
      w.text(a);
      w.raw("</name></author>\n");
    }
    for (const std::string& c : e.categories) {
      w.raw("<category");
      w.attr("term", c);
      w.raw("/>\n");
    }
    if (!e.summary_html.empty()) {
      w.raw(e.policy == Policy::summary ? "<summary type=\"text\">" : "<summary type=\"html\">");
      w.text(e.summary_html);
      w.raw("</summary>\n");
    }
    if (!e.content_html.empty()) {
      w.raw("<content type=\"html\">");
      w.text(e.content_html);
      w.raw("</content>\n");
    }
    w.raw("<source>\n");
    w.element("id", e.origin.feed_url);
    w.element("title", e.origin.title);
    w.link("self", e.origin.feed_url, "");
    if (e.origin.site_link) w.link("alternate", *e.origin.site_link, "text/html");
    w.element("updated", rfc3339(e.updated));
    w.raw("</source>\n</entry>\n");
  }
  w.raw("</feed>\n");
  return w.take();
}

}  // namespace tinhop::publish
