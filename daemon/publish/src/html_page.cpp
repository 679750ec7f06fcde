// The river page: server-rendered, no JavaScript, readable on a phone.
#include "tinhop/publish/render.hpp"
#include "xml_writer.hpp"

namespace tinhop::publish {
namespace {

constexpr std::string_view kStyle =
    "body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:0 .75rem;color:#222}"
    "header form{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0}"
    "header input[type=search]{flex:1 1 12rem;font:inherit;padding:.3rem}"
    "select,button{font:inherit;padding:.3rem;max-width:100%}"
    "article{border-bottom:1px solid #ddd;padding:.6rem 0}"
    "article h2{font-size:1.1rem;margin:0 0 .2rem}"
    ".meta,.also{font-size:.85rem;color:#555}"
    "nav.pages{margin:1rem 0}details{margin:1rem 0}"
    "a{color:#0645ad;overflow-wrap:anywhere}";

void option(XmlWriter& w, std::string_view value, std::string_view label, bool selected) {
  w.raw("<option");
  w.attr("value", value);
  if (selected) w.raw(" selected");
  w.raw(">");
  w.text(label);
  w.raw("</option>");
}

void anchor(XmlWriter& w, std::string_view href, std::string_view text) {
  w.raw("<a");
  w.attr("href", href);
  w.raw(">");
  w.text(text);
  w.raw("</a>");
}

}  // namespace

std::string render_html(const RiverPage& page) {
  const FeedMeta& m = page.feed.meta;
  XmlWriter w;
  w.raw("<!DOCTYPE html>\n<html");
  if (!m.language.empty()) w.attr("lang", m.language);
  w.raw(">\n<head>\n<meta charset=\"utf-8\">\n");
  w.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
  w.text(m.title);
  w.raw("</title>\n");
  w.raw("<link rel=\"alternate\" type=\"application/atom+xml\"");
  w.attr("title", m.title + " (Atom)");
  w.attr("href", page.atom_url);
  w.raw(">\n<link rel=\"alternate\" type=\"application/rss+xml\"");
  w.attr("title", m.title + " (RSS)");
  w.attr("href", page.rss_url);
  w.raw(">\n<link rel=\"alternate\" type=\"application/feed+json\"");
  w.attr("title", m.title + " (JSON Feed)");
  w.attr("href", page.json_url);
  w.raw(">\n<style>");
  w.raw(kStyle);
  w.raw("</style>\n</head>\n<body>\n<header>\n<h1>");
  anchor(w, page.base_url + "/", m.title);
  w.raw("</h1>\n<form method=\"get\"");
  w.attr("action", page.base_url + "/");
  w.raw(" role=\"search\">\n<input type=\"search\" name=\"q\" placeholder=\"Tìm kiếm / Search\"");
  w.attr("value", page.query);
  w.raw(" aria-label=\"Search\">\n<select name=\"source\" aria-label=\"Source\">");
  option(w, "", "All sources", !page.selected_source);
  for (const SourceLink& s : page.sources) {
    option(w, std::to_string(s.id), s.title, page.selected_source == s.id);
  }
  w.raw("</select>\n<select name=\"category\" aria-label=\"Category\">");
  option(w, "", "All categories", !page.selected_category);
  for (const CategoryLink& c : page.categories) option(w, c.slug, c.name, page.selected_category == c.slug);
  w.raw("</select>\n<select name=\"sort\" aria-label=\"Order of search results\">");
  option(w, "date", "Mới nhất / Newest", !page.by_relevance);
  option(w, "relevance", "Liên quan / Relevance", page.by_relevance);
  w.raw("</select>\n<button type=\"submit\">Filter</button>\n</form>\n<p class=\"meta\">Subscribe: ");
  anchor(w, page.atom_url, "Atom");
  w.raw(" · ");
  anchor(w, page.rss_url, "RSS");
  w.raw(" · ");
  anchor(w, page.json_url, "JSON Feed");
  w.raw(" · ");
  anchor(w, page.base_url + "/sources.opml", "OPML");
  w.raw("</p>\n</header>\n<main>\n");
  if (page.feed.entries.empty()) w.raw("<p class=\"empty\">No entries.</p>\n");
  for (const Entry& e : page.feed.entries) {
    w.raw("<article class=\"entry\">\n<h2>");
    if (e.link) {
      anchor(w, *e.link, e.title);
    } else {
      w.text(e.title);
    }
    w.raw("</h2>\n<p class=\"meta\">");
    w.text(e.origin.title);
    w.raw(" · <time");
    w.attr("datetime", rfc3339(e.published));
    w.raw(">");
    w.text(rfc822(e.published));
    w.raw("</time></p>\n");
    if (e.policy != Policy::title) {
      // The page shows excerpts only: bodies stay in the feeds.
      const std::string& text = e.policy == Policy::summary ? e.summary_html : e.page_excerpt;
      if (!text.empty()) {
        w.raw("<p>");
        w.text(text);
        w.raw("</p>\n");
      }
    }
    if (!e.also.empty()) {
      w.raw("<p class=\"also\">Also published by: ");
      bool first = true;
      for (const AlsoPublished& a : e.also) {
        if (!first) w.raw(", ");
        first = false;
        if (a.link) {
          anchor(w, *a.link, a.title);
        } else {
          w.text(a.title);
        }
      }
      w.raw("</p>\n");
    }
    w.raw("</article>\n");
  }
  w.raw("</main>\n");
  if (m.next_url) {
    w.raw("<nav class=\"pages\">");
    anchor(w, *m.next_url, "Older entries →");
    w.raw("</nav>\n");
  }
  w.raw("<footer>\n<details>\n<summary>All feeds</summary>\n<h2>Categories</h2>\n<ul>\n");
  for (const CategoryLink& c : page.categories) {
    w.raw("<li>");
    w.text(c.name);
    w.raw(": ");
    anchor(w, c.republished_atom, "Atom");
    w.raw("</li>\n");
  }
  w.raw("</ul>\n<h2>Sources</h2>\n<ul>\n");
  for (const SourceLink& s : page.sources) {
    w.raw("<li>");
    w.text(s.title);
    w.raw(": ");
    anchor(w, s.republished_atom, "Atom");
    if (s.feed_url != s.republished_atom) {  // the same when the original is not shown
      w.raw(" · ");
      anchor(w, s.feed_url, "original feed");
    }
    w.raw("</li>\n");
  }
  w.raw("</ul>\n</details>\n</footer>\n</body>\n</html>\n");
  return w.take();
}

std::string render_opml(const std::vector<SourceLink>& sources, std::string_view title, Instant created) {
  XmlWriter w;
  w.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<opml version=\"2.0\">\n<head>\n");
  w.element("title", title);
  w.element("dateCreated", rfc822(created));
  w.raw("</head>\n<body>\n");
  for (const SourceLink& s : sources) {
    w.raw("<outline type=\"rss\"");
    w.attr("text", s.title);
    w.attr("title", s.title);
    w.attr("xmlUrl", s.feed_url);
    if (s.site_link) w.attr("htmlUrl", *s.site_link);
    if (!s.categories.empty()) {
      std::string cats;
      for (const auto& c : s.categories) cats += (cats.empty() ? "/" : ",/") + c;
      w.attr("category", cats);
    }
    w.raw("/>\n");
  }
  w.raw("</body>\n</opml>\n");
  return w.take();
}

}  // namespace tinhop::publish
