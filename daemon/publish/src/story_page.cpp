// The story page: every publisher's version of one story side by side, and a timeline of
// who published it when.
#include "html_parts.hpp"
#include "tinhop/publish/render.hpp"

namespace tinhop::publish {

std::string render_story(const StoryPage& page) {
  const Language lang = page.reader.language;
  const Entry& first = page.versions.front();
  XmlWriter w;
  html::open_document(w, page.reader, first.title + " — " + page.site_title);
  w.raw("<header>\n<div class=\"top\">\n<p>");
  html::anchor(w, page.home_url, message(lang, "back_to_river"));
  w.raw("</p>\n");
  html::language_switch(w, page.reader);
  w.raw("\n</div>\n<h1>");
  w.text(first.title);
  w.raw("</h1>\n</header>\n<main>\n<h2>");
  w.text(message(lang, "timeline"));
  w.raw("</h2>\n<ol class=\"timeline\">\n");
  for (std::size_t i = 0; i < page.versions.size(); ++i) {
    const Entry& v = page.versions[i];
    w.raw("<li>");
    html::time(w, v.published, page.reader);
    w.raw(" — ");
    if (v.link) {
      html::anchor(w, *v.link, v.origin.title);
    } else {
      w.text(v.origin.title);
    }
    if (i == 0 && page.versions.size() > 1) {
      w.raw(" <span class=\"first\">(");
      w.text(message(lang, "first_publisher"));
      w.raw(")</span>");
    }
    w.raw("</li>\n");
  }
  w.raw("</ol>\n<h2>");
  w.text(message(lang, "story_versions"));
  w.raw("</h2>\n<div class=\"versions\">\n");
  for (const Entry& v : page.versions) {
    w.raw("<section>\n<h3>");
    w.text(v.origin.title);
    w.raw("</h3>\n");
    html::thumbnail(w, v);
    w.raw("<p><strong>");
    if (v.link) {
      html::anchor(w, *v.link, v.title);
    } else {
      w.text(v.title);
    }
    w.raw("</strong></p>\n<p class=\"meta\">");
    html::time(w, v.published, page.reader);
    w.raw("</p>\n");
    const std::string& text = v.policy == Policy::summary ? v.summary_html : v.page_excerpt;
    if (v.policy != Policy::title && !text.empty()) {
      w.raw("<p>");
      w.text(text);
      w.raw("</p>\n");
    }
    w.raw("</section>\n");
  }
  w.raw("</div>\n</main>\n");
  html::close_document(w);
  return w.take();
}

}  // namespace tinhop::publish
