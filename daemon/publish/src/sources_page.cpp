// The sources' directory: what the river page's menu cannot hold once there are many
// sources, searchable and paged, without JavaScript.
#include "html_parts.hpp"
#include "tinhop/publish/render.hpp"

namespace tinhop::publish {

std::string render_sources(const SourcesPage& page) {
  const Language lang = page.reader.language;
  XmlWriter w;
  html::open_document(w, page.reader, std::string(message(lang, "sources")) + " — " + page.site_title);
  w.raw("<header>\n<div class=\"top\">\n<p>");
  html::anchor(w, page.home_url, message(lang, "back_to_river"));
  w.raw("</p>\n");
  html::language_switch(w, page.reader);
  w.raw("\n</div>\n<h1>");
  w.text(message(lang, "sources"));
  w.raw("</h1>\n");
  html::open_search_form(w, page.page_url, page.reader, page.query, message(lang, "sources_search"),
                         message(lang, "sources_search"));
  w.raw("<button type=\"submit\">");
  w.text(message(lang, "search_button"));
  w.raw("</button>\n</form>\n</header>\n<main>\n<p class=\"meta\">");
  w.text(message(lang, "sources_count", std::to_string(page.matches)));
  w.raw("</p>\n");
  if (page.sources.empty()) {
    w.raw("<p>");
    w.text(message(lang, "sources_none"));
    w.raw("</p>\n");
  } else {
    w.raw("<ul class=\"sources\">\n");
    for (std::size_t i = 0; i < page.sources.size(); ++i) {
      const SourceLink& s = page.sources[i];
      w.raw("<li>");
      html::anchor(w, page.river_urls[i], s.title);
      w.raw(" · ");
      html::anchor(w, s.republished_atom, "Atom");
      if (s.feed_url != s.republished_atom) {
        w.raw(" · ");
        html::anchor(w, s.feed_url, message(lang, "original_feed"));
      }
      w.raw("</li>\n");
    }
    w.raw("</ul>\n");
  }
  if (page.previous_url || page.next_url) {
    w.raw("<nav class=\"pages\"");
    w.attr("aria-label", message(lang, "paging"));
    w.raw(">");
    if (page.previous_url) html::anchor(w, *page.previous_url, message(lang, "previous_page"));
    if (page.next_url) html::anchor(w, *page.next_url, message(lang, "next_page"));
    w.raw("</nav>\n");
  }
  w.raw("</main>\n");
  html::close_document(w);
  return w.take();
}

}  // namespace tinhop::publish
