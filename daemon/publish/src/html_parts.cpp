#include "html_parts.hpp"

#include <algorithm>

#include "embedded.hpp"

namespace tinhop::publish::html {

void open_document(XmlWriter& w, const Reader& reader, std::string_view title, std::string_view alternates) {
  w.raw("<!DOCTYPE html>\n<html");
  w.attr("lang", language_tag(reader.language));
  w.raw(">\n<head>\n<meta charset=\"utf-8\">\n");
  w.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
  w.raw("<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
  w.text(title);
  w.raw("</title>\n");
  w.raw(alternates);
  w.raw("<style>");
  w.raw(embedded::kPageCss);
  w.raw("</style>\n</head>\n<body>\n");
}

void close_document(XmlWriter& w) {
  w.raw("</body>\n</html>\n");
}

void anchor(XmlWriter& w, std::string_view href, std::string_view text) {
  w.raw("<a");
  w.attr("href", href);
  w.raw(">");
  w.text(text);
  w.raw("</a>");
}

void language_switch(XmlWriter& w, const Reader& reader) {
  const Language lang = reader.language;
  w.raw("<a");
  w.attr("href", reader.switch_language_url);
  w.attr("hreflang", message(lang, "other_language_tag"));
  w.attr("lang", message(lang, "other_language_tag"));
  w.attr("title", message(lang, "other_language_name"));
  w.raw(">");
  w.text(message(lang, "other_language"));
  w.raw("</a>");
}

void open_search_form(XmlWriter& w, std::string_view action, const Reader& reader, std::string_view query,
                      std::string_view placeholder, std::string_view label) {
  w.raw("<form class=\"filter\" method=\"get\"");
  w.attr("action", action);
  w.raw(" role=\"search\">\n");
  if (!reader.hl.empty()) {
    w.raw("<input type=\"hidden\" name=\"hl\"");
    w.attr("value", reader.hl);
    w.raw(">\n");
  }
  w.raw("<input type=\"search\" name=\"q\"");
  w.attr("placeholder", placeholder);
  w.attr("value", query);
  w.attr("aria-label", label);
  w.raw(">\n");
}

void time(XmlWriter& w, Instant t, const Reader& reader) {
  w.raw("<time");
  w.attr("datetime", rfc3339(t));
  w.raw(">");
  w.text(reader_time(t, reader.now, reader.zone, reader.language));
  w.raw("</time>");
}

void thumbnail(XmlWriter& w, const Entry& entry) {
  if (!entry.image) return;
  // No proxy: the reader's browser asks the source's server, told nothing of this page.
  w.raw("<img");
  w.attr("src", *entry.image);
  w.raw(
      " alt=\"\" width=\"96\" height=\"72\" loading=\"lazy\" decoding=\"async\" "
      "referrerpolicy=\"no-referrer\">");
}

void publishers(XmlWriter& w, const Entry& entry, const Reader& reader) {
  struct Shown {
    std::string_view title;
    const std::optional<std::string>* link;
    Instant published;
  };
  std::vector<Shown> all{{entry.origin.title, &entry.link, entry.published}};
  for (const AlsoPublished& a : entry.also) all.push_back({a.title, &a.link, a.published});
  // A per-source list shows that source's copy first, whoever published before it.
  std::stable_sort(all.begin(), all.end(),
                   [](const Shown& a, const Shown& b) { return a.published < b.published; });
  w.raw("<p class=\"pubs\">");
  w.text(message(reader.language, "published_by"));
  for (std::size_t i = 0; i < all.size(); ++i) {
    w.raw(i == 0 ? " " : ", ");
    if (*all[i].link) {
      anchor(w, **all[i].link, all[i].title);
    } else {
      w.text(all[i].title);
    }
    if (i == 0 && all.size() > 1) {
      w.raw(" <span class=\"first\">(");
      w.text(message(reader.language, "first_publisher"));
      w.raw(")</span>");
    }
  }
  w.raw("</p>\n");
}

void publisher_times(XmlWriter& w, const Entry& entry, const Reader& reader) {
  const auto count =
      entry.ranking ? entry.ranking->publishers : static_cast<std::int64_t>(entry.also.size() + 1);
  w.raw("<p class=\"meta\">");
  w.text(message(reader.language, "top_publishers", std::to_string(count)));
  w.raw("</p>\n<ol class=\"pubs\">\n");
  const auto line = [&](std::string_view title, const std::optional<std::string>& link, Instant published,
                        bool first) {
    w.raw("<li>");
    if (link) {
      anchor(w, *link, title);
    } else {
      w.text(title);
    }
    if (first) {
      w.raw(" <span class=\"first\">(");
      w.text(message(reader.language, "first_publisher"));
      w.raw(")</span>");
    }
    w.raw(" · ");
    time(w, published, reader);
    w.raw("</li>\n");
  };
  line(entry.origin.title, entry.link, entry.published, true);
  for (const AlsoPublished& a : entry.also) line(a.title, a.link, a.published, false);
  w.raw("</ol>\n");
}

}  // namespace tinhop::publish::html
