#include "build.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string_view>
#include <unordered_map>

#include "tinhop/parsers/sanitize.hpp"
#include "tinhop/parsers/slug.hpp"
#include "tinhop/publish/render.hpp"

namespace tinhop::publish::detail {

std::vector<CategorySlug> category_slugs(const std::vector<std::string>& names) {
  std::vector<CategorySlug> out;
  out.reserve(names.size());
  for (const std::string& name : names) out.push_back(CategorySlug{name, ascii_slug(name)});
  std::sort(out.begin(), out.end(),
            [](const CategorySlug& a, const CategorySlug& b) { return a.name < b.name; });
  const auto hash_of = [](std::string_view name) {
    std::uint32_t h = 2166136261U;  // FNV-1a, 32 bits
    for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 16777619U;
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", h);
    return std::string(hex);
  };
  std::vector<std::string> taken;
  for (CategorySlug& category : out) {
    if (category.slug.empty()) {
      category.slug = "category-" + hash_of(category.name);
    } else if (std::find(taken.begin(), taken.end(), category.slug) != taken.end()) {
      category.slug += "-" + hash_of(category.name);
    } else {
      taken.push_back(category.slug);
    }
  }
  // The store's order (the page's list) again.
  std::vector<CategorySlug> ordered;
  ordered.reserve(out.size());
  for (const std::string& name : names) {
    auto it = std::find_if(out.begin(), out.end(), [&](const CategorySlug& c) { return c.name == name; });
    ordered.push_back(*it);
  }
  return ordered;
}

std::string legacy_slug(std::string_view name) {
  std::string out;
  bool dash = false;
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    bool delimiter = c <= 0x20 || c == '/' || c == '?' || c == '#' || c == '%' || c == '&' || c == '+' ||
                     c == '\\' || c == '"' || c == '<' || c == '>' || c == '-' || c == 0x7f;
    if (delimiter) {
      dash = !out.empty();
      continue;
    }
    if (dash) out += '-';
    dash = false;
    out += static_cast<char>(c < 0x80 ? std::tolower(c) : c);
  }
  return out;
}

bool ascii_slug_shaped(std::string_view segment) {
  return !segment.empty() && std::all_of(segment.begin(), segment.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string cursor_text(const storage::Cursor& cursor) {
  return storage::format_cursor(cursor);
}

std::optional<storage::Cursor> parse_cursor_text(std::string_view text) {
  return storage::parse_cursor(text);
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4U];
      out += hex[c & 0xFU];
    }
  }
  return out;
}

std::string selection_url(const std::string& base, const Selection& s, Format f, bool with_position) {
  static constexpr const char* ext[] = {"feed.atom", "feed.rss", "feed.json", ""};
  std::string url = base;
  std::string query;
  auto param = [&query](std::string_view name, std::string_view value) {
    query += query.empty() ? '?' : '&';
    query += name;
    query += '=';
    query += percent_encode(value);
  };
  if (s.view_slug) {
    url += "/views/" + percent_encode(*s.view_slug);
    if (f != Format::html) url += std::string("/") + ext[static_cast<int>(f)];
  } else if (f == Format::html) {
    url += '/';
    if (s.source_id) param("source", std::to_string(*s.source_id));
    if (s.category_slug) param("category", *s.category_slug);
  } else if (s.source_id) {
    url += "/sources/" + std::to_string(*s.source_id) + "/" + ext[static_cast<int>(f)];
    if (s.category_slug) param("category", *s.category_slug);
  } else if (s.category_slug) {
    url += "/categories/" + percent_encode(*s.category_slug) + "/" + ext[static_cast<int>(f)];
  } else {
    url += std::string("/") + ext[static_cast<int>(f)];
  }
  if (!s.query.empty()) param("q", s.query);
  if (!s.query.empty() && s.by_relevance) param("sort", "relevance");
  if (s.limit_given) param("limit", std::to_string(s.limit));
  if (with_position && s.before) param("before", cursor_text(*s.before));
  if (with_position && s.after) param("after", cursor_text(*s.after));
  if (f == Format::html && !s.hl.empty()) param("hl", s.hl);
  return url + query;
}

std::string story_url(const std::string& base, std::int64_t public_id, std::string_view hl) {
  std::string url = base + "/stories/" + std::to_string(public_id);
  if (!hl.empty()) url += "?hl=" + std::string(hl);
  return url;
}

void distinct_titles(std::vector<SourceLink>& sources) {
  // Counted, not compared pairwise: the page lists every source, ten thousand of them.
  std::unordered_map<std::string_view, std::size_t> uses;
  for (const SourceLink& s : sources) ++uses[s.title];
  const auto host_of = [](const SourceLink& s) {
    const std::string& url = s.site_link ? *s.site_link : s.feed_url;
    auto parsed = boost::urls::parse_uri(url);
    return parsed ? std::string(parsed->host()) : std::string();
  };
  std::vector<std::string> titles;
  titles.reserve(sources.size());
  for (const SourceLink& s : sources) {
    const std::string host = uses[s.title] > 1 ? host_of(s) : std::string();
    titles.push_back(host.empty() ? s.title : s.title + " (" + host + ")");
  }
  std::unordered_map<std::string_view, std::size_t> still;
  for (const std::string& title : titles) ++still[title];
  for (std::size_t i = 0; i < sources.size(); ++i) {
    sources[i].title = still[titles[i]] > 1 ? titles[i] + " #" + std::to_string(sources[i].id) : titles[i];
  }
}

std::string source_title(std::int64_t id, const std::string& title,
                         const std::optional<std::string>& feed_title, const std::string& url) {
  if (!title.empty()) return title;
  if (feed_title && !feed_title->empty()) return *feed_title;
  if (auto shown = public_url(url, {})) {
    if (auto parsed = boost::urls::parse_uri(*shown)) return std::string(parsed->host());
  }
  return "source " + std::to_string(id);
}

std::string source_title(const storage::Source& source) {
  return source_title(source.id, source.settings.title, source.feed_title, source.settings.url);
}

std::string public_source_url(std::int64_t id, const std::string& url, const std::string& base,
                              const ServerOptions& options) {
  if (auto shown = public_url(url, options.secret_params)) return *shown;
  Selection one;
  one.source_id = id;
  return selection_url(base, one, Format::atom, false);
}

namespace {

std::string publisher_title(const storage::Publisher& p) {
  return source_title(p.source_id, p.source_title, std::nullopt, p.source_url);
}

// A feed's own site link is shown only where a reader could follow it.
std::optional<std::string> public_site_link(const std::optional<std::string>& link,
                                            const ServerOptions& options) {
  return link ? public_url(*link, options.secret_params) : std::nullopt;
}

// Links from feeds are untrusted too: only absolute http(s) URLs reach a document.
std::optional<std::string> safe_url(const std::optional<std::string>& url) {
  std::string out;
  if (!url || !resolve_safe_url(*url, "", false, out)) return std::nullopt;
  return out;
}

std::string sanitize(const std::optional<std::string>& html, const std::string& base, std::size_t max_bytes) {
  if (!html || html->empty()) return {};
  SanitizeOptions options{base};
  options.max_output_bytes = max_bytes;
  return sanitize_html(*html, options);
}

}  // namespace

Entry make_entry(const storage::ClusterView& view, const ServerOptions& options, const std::string& base_url,
                 bool also_footer) {
  const storage::StoredItem& item = view.item;
  Entry e;
  e.id = options.entry_id_prefix + std::to_string(view.public_id);
  e.link = safe_url(item.link);
  e.title = item.title && !item.title->empty() ? *item.title : e.link.value_or("(untitled)");
  e.policy = view.republication;
  e.published = item.published;
  e.updated = std::max(
      {item.published, item.updated.value_or(item.published), item.changed.value_or(item.published)});
  // Relative URLs in the item resolve against the article, else the source's site.
  const std::string base = e.link.value_or(safe_url(view.origin.site_link).value_or(""));
  const auto& body = item.content ? item.content : item.summary;
  switch (e.policy) {
    case Policy::full:
      e.content_html = sanitize(body, base, options.max_content_bytes);
      if (item.content && item.summary)
        e.summary_html = sanitize(item.summary, base, options.max_content_bytes);
      e.page_excerpt =
          e.content_html.empty()
              ? std::string{}
              : html_excerpt(e.summary_html.empty() ? e.content_html : e.summary_html, options.excerpt_chars);
      e.authors.reserve(item.authors.size());
      for (const Author& a : item.authors) {
        if (a.name && !a.name->empty()) {
          e.authors.push_back(*a.name);
        } else if (a.email && !a.email->empty()) {
          e.authors.push_back(*a.email);
        }
      }
      for (const Enclosure& enc : item.enclosures) {
        if (auto url = safe_url(enc.url))
          e.enclosures.push_back(Enclosure{*url, enc.type, enc.length, enc.medium});
      }
      break;
    case Policy::summary:
      if (body) e.summary_html = html_excerpt(*body, options.excerpt_chars);
      break;
    case Policy::title: break;
  }
  // A thumbnail is linked, never copied: the reader page shows it whatever the policy.
  e.image = safe_url(item.thumbnail);
  e.categories = item.categories;
  e.origin = Origin{view.origin.source_id, publisher_title(view.origin),
                    public_source_url(view.origin.source_id, view.origin.source_url, base_url, options),
                    public_site_link(view.origin.site_link, options)};
  for (const storage::Publisher& p : view.others) {
    e.also.push_back(AlsoPublished{p.source_id, publisher_title(p),
                                   public_source_url(p.source_id, p.source_url, base_url, options),
                                   safe_url(p.item_link), p.published});
  }
  if (also_footer && e.policy == Policy::full && !e.content_html.empty() && !e.also.empty()) {
    // Readers that show only the body still see who else carried the story.
    std::string footer = "<p>Also published by: ";
    bool first = true;
    for (const AlsoPublished& a : e.also) {
      if (!first) footer += ", ";
      first = false;
      std::string title;
      append_escaped(title, a.title);
      if (a.link) {
        std::string escaped;
        append_escaped(escaped, *a.link);
        footer += "<a href=\"" + escaped + "\">" + title + "</a>";
      } else {
        footer += title;
      }
    }
    e.content_html += footer + "</p>";
  }
  e.cursor = cursor_text(view.position);
  e.story_url = story_url(base_url, view.public_id, {});
  return e;
}

std::string top_url(const std::string& base, Format f) {
  static constexpr const char* ext[] = {"feed.atom", "feed.rss", "feed.json", ""};
  return f == Format::html ? base + "/" : base + "/top/" + ext[static_cast<int>(f)];
}

Entry make_top_entry(const storage::TopStory& story, const ServerOptions& options, const std::string& base,
                     Language language) {
  Entry e = make_entry(story.view, options, base, false);
  e.ranking = Ranking{story.publishers, story.score};
  const auto line = [](std::string& out, const std::string& title, const std::optional<std::string>& link,
                       Instant published, std::string_view mark) {
    std::string escaped_title;
    append_escaped(escaped_title, title);
    out += "<li>";
    if (link) {
      std::string href;
      append_escaped(href, *link);
      out += "<a href=\"" + href + "\">" + escaped_title + "</a>";
    } else {
      out += escaped_title;
    }
    if (!mark.empty()) {
      out += " (";
      append_escaped(out, mark);
      out += ")";
    }
    out += " <time datetime=\"" + rfc3339(published) + "\">" + rfc3339(published) + "</time></li>";
  };
  std::string list = "<p>";
  append_escaped(list, message(language, "top_publishers", std::to_string(story.publishers)));
  list += "</p><ol>";
  line(list, e.origin.title, e.link, e.published, message(language, "first_publisher"));
  for (const AlsoPublished& a : e.also) line(list, a.title, a.link, a.published, {});
  list += "</ol>";
  e.content_html = list + e.content_html;
  return e;
}

Entry make_version(const storage::Story& story, const storage::StoryVersion& version,
                   const ServerOptions& options, const std::string& base) {
  storage::ClusterView view;
  view.cluster_id = story.cluster_id;
  view.public_id = story.public_id;
  view.item = version.item;
  view.origin = version.publisher;
  view.republication = version.republication;
  return make_entry(view, options, base);
}

std::size_t text_bytes(const Entry& e) {
  std::size_t bytes = e.id.size() + e.title.size() + e.content_html.size() + e.summary_html.size() +
                      e.page_excerpt.size() + e.origin.title.size() + e.origin.feed_url.size();
  for (const std::string& text : e.authors) bytes += text.size();
  for (const std::string& text : e.categories) bytes += text.size();
  for (const Enclosure& enc : e.enclosures) bytes += enc.url.size();
  for (const AlsoPublished& a : e.also)
    bytes += a.title.size() + a.feed_url.size() + (a.link ? a.link->size() : 0);
  return bytes;
}

}  // namespace tinhop::publish::detail
