// The river page: server-rendered, no JavaScript, readable on a phone, Vietnamese first.
#include "html_parts.hpp"
#include "tinhop/publish/render.hpp"
#include "xml_writer.hpp"

namespace tinhop::publish {
namespace {

void option(XmlWriter& w, std::string_view value, std::string_view label, bool selected) {
  w.raw("<option");
  w.attr("value", value);
  if (selected) w.raw(" selected");
  w.raw(">");
  w.text(label);
  w.raw("</option>");
}

void alternate(XmlWriter& w, std::string_view type, const std::string& title, const std::string& href) {
  w.raw("<link rel=\"alternate\"");
  w.attr("type", type);
  w.attr("title", title);
  w.attr("href", href);
  w.raw(">\n");
}

void filter_form(XmlWriter& w, const RiverPage& page) {
  const Language lang = page.reader.language;
  html::open_search_form(w, page.home_url, page.reader, page.query, message(lang, "search_placeholder"),
                         message(lang, "search"));
  // Too many sources for a menu: it offers only the one chosen (to keep or leave), the
  // directory the others.
  if (!page.sources.empty()) {
    w.raw("<select name=\"source\"");
    w.attr("aria-label", message(lang, "source"));
    w.raw(">");
    option(w, "", message(lang, "all_sources"), !page.selected_source);
    for (const SourceLink& s : page.sources)
      option(w, std::to_string(s.id), s.title, page.selected_source == s.id);
    w.raw("</select>\n");
  }
  w.raw("<select name=\"category\"");
  w.attr("aria-label", message(lang, "category"));
  w.raw(">");
  option(w, "", message(lang, "all_categories"), !page.selected_category);
  for (const CategoryLink& c : page.categories) option(w, c.slug, c.name, page.selected_category == c.slug);
  w.raw("</select>\n<select name=\"sort\"");
  w.attr("aria-label", message(lang, "order"));
  w.raw(">");
  option(w, "date", message(lang, "newest"), !page.by_relevance);
  option(w, "relevance", message(lang, "relevance"), page.by_relevance);
  w.raw("</select>\n<button type=\"submit\">");
  w.text(message(lang, "search_button"));
  w.raw("</button>\n</form>\n");
  if (page.sources.size() < page.source_count) {
    w.raw("<p class=\"meta\">");
    html::anchor(w, page.sources_url, message(lang, "sources_directory", std::to_string(page.source_count)));
    w.raw("</p>\n");
  }
}

void category_nav(XmlWriter& w, const RiverPage& page) {
  if (page.categories.empty()) return;
  w.raw("<nav class=\"cats\"");
  w.attr("aria-label", message(page.reader.language, "categories"));
  w.raw(">\n<ul>\n<li><a");
  w.attr("href", page.all_categories_url);
  if (!page.selected_category) w.raw(" aria-current=\"page\"");
  w.raw(">");
  w.text(message(page.reader.language, "all_categories"));
  w.raw("</a></li>\n");
  for (std::size_t i = 0; i < page.categories.size(); ++i) {
    w.raw("<li><a");
    w.attr("href", page.category_urls[i]);
    if (page.selected_category == page.categories[i].slug) w.raw(" aria-current=\"page\"");
    w.raw(">");
    w.text(page.categories[i].name);
    w.raw("</a></li>\n");
  }
  w.raw("</ul>\n</nav>\n");
}

void entry(XmlWriter& w, const Entry& e, const Reader& reader) {
  w.raw("<article>\n");
  html::thumbnail(w, e);
  w.raw("<h3>");
  if (e.link) {
    html::anchor(w, *e.link, e.title);
  } else {
    w.text(e.title);
  }
  w.raw("</h3>\n<p class=\"meta\">");
  html::time(w, e.published, reader);
  if (!e.also.empty()) {
    w.raw(" · ");
    html::anchor(w, e.story_url, message(reader.language, "story_link", std::to_string(e.also.size() + 1)));
  }
  w.raw("</p>\n");
  if (e.policy != Policy::title) {
    // The page shows excerpts only: bodies stay in the feeds.
    const std::string& text = e.policy == Policy::summary ? e.summary_html : e.page_excerpt;
    if (!text.empty()) {
      w.raw("<p>");
      w.text(text);
      w.raw("</p>\n");
    }
  }
  html::publishers(w, e, reader);
  w.raw("</article>\n");
}

// The top stories above the river: each with every publisher, earliest first and marked,
// each at its own time.
void top_section(XmlWriter& w, const RiverPage& page) {
  const Language lang = page.reader.language;
  w.raw("<section class=\"top-stories\" aria-labelledby=\"top-stories\">\n<h2 id=\"top-stories\">");
  w.text(message(lang, "top_stories"));
  w.raw(" <a class=\"feed\"");
  w.attr("href", page.top_url);
  w.raw(">Atom</a></h2>\n");
  for (const Entry& e : page.top) {
    w.raw("<article>\n<h3>");
    html::anchor(w, e.story_url, e.title);
    w.raw("</h3>\n");
    html::publisher_times(w, e, page.reader);
    w.raw("</article>\n");
  }
  w.raw("</section>\n");
}

void paging(XmlWriter& w, const RiverPage& page) {
  const auto& older = page.feed.meta.next_url;
  if (!page.newer_url && !page.first_url && !older) return;
  const Language lang = page.reader.language;
  w.raw("<nav class=\"pages\"");
  w.attr("aria-label", message(lang, "paging"));
  w.raw(">");
  if (page.newer_url) html::anchor(w, *page.newer_url, message(lang, "newer"));
  if (page.first_url) html::anchor(w, *page.first_url, message(lang, "first_page"));
  if (older) html::anchor(w, *older, message(lang, "older"));
  w.raw("</nav>\n");
}

void feeds_footer(XmlWriter& w, const RiverPage& page) {
  const Language lang = page.reader.language;
  w.raw("<footer>\n<p>");
  w.text(message(lang, "subscribe"));
  w.raw(" ");
  html::anchor(w, page.atom_url, "Atom");
  w.raw(" · ");
  html::anchor(w, page.rss_url, "RSS");
  w.raw(" · ");
  html::anchor(w, page.json_url, "JSON Feed");
  w.raw(" · ");
  html::anchor(w, page.base_url + "/sources.opml", "OPML");
  w.raw("</p>\n<details>\n<summary>");
  w.text(message(lang, "all_feeds"));
  w.raw("</summary>\n<h2>");
  w.text(message(lang, "categories"));
  w.raw("</h2>\n<ul>\n");
  for (const CategoryLink& c : page.categories) {
    w.raw("<li>");
    w.text(c.name);
    w.raw(": ");
    html::anchor(w, c.republished_atom, "Atom");
    w.raw("</li>\n");
  }
  w.raw("</ul>\n<h2>");
  w.text(message(lang, "sources"));
  w.raw("</h2>\n");
  if (page.sources.size() < page.source_count) {
    w.raw("<p>");
    html::anchor(w, page.sources_url, message(lang, "sources_directory", std::to_string(page.source_count)));
    w.raw("</p>\n</details>\n</footer>\n");
    return;
  }
  w.raw("<ul>\n");
  for (const SourceLink& s : page.sources) {
    w.raw("<li>");
    w.text(s.title);
    w.raw(": ");
    html::anchor(w, s.republished_atom, "Atom");
    if (s.feed_url != s.republished_atom) {  // the same when the original is not shown
      w.raw(" · ");
      html::anchor(w, s.feed_url, message(lang, "original_feed"));
    }
    w.raw("</li>\n");
  }
  w.raw("</ul>\n</details>\n</footer>\n");
}

}  // namespace

std::string render_html(const RiverPage& page) {
  const FeedMeta& m = page.feed.meta;
  const Language lang = page.reader.language;
  XmlWriter alternates;
  alternate(alternates, "application/atom+xml", m.title + " (Atom)", page.atom_url);
  alternate(alternates, "application/rss+xml", m.title + " (RSS)", page.rss_url);
  alternate(alternates, "application/feed+json", m.title + " (JSON Feed)", page.json_url);
  XmlWriter w;
  html::open_document(w, page.reader, m.title, alternates.take());
  w.raw("<header>\n<div class=\"top\">\n<h1>");
  html::anchor(w, page.home_url, m.title);
  w.raw("</h1>\n");
  html::language_switch(w, page.reader);
  w.raw("\n</div>\n");
  filter_form(w, page);
  category_nav(w, page);
  w.raw("</header>\n<main>\n");
  if (!page.top.empty()) top_section(w, page);
  w.raw("<h2>");
  if (page.query.empty()) {
    w.text(message(lang, "latest"));
  } else {
    w.text(message(lang, "results_for", page.query));
  }
  w.raw("</h2>\n");
  if (page.feed.entries.empty()) {
    w.raw("<p>");
    w.text(message(lang, "no_entries"));
    w.raw("</p>\n");
  }
  for (const Entry& e : page.feed.entries) entry(w, e, page.reader);
  paging(w, page);
  w.raw("</main>\n");
  feeds_footer(w, page);
  html::close_document(w);
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
