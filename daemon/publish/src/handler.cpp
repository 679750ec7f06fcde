// Routing, parameters, conditional requests and response headers.
#include "tinhop/publish/handler.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <ctime>

#include "build.hpp"
#include "tinhop/parsers/words.hpp"
#include "tinhop/publish/render.hpp"

namespace tinhop::publish {
namespace {

using detail::Format;
using detail::Selection;

struct Target {
  Route route = Route::other;
  Format format = Format::html;
  std::optional<std::string> source_segment;
  std::optional<std::string> category_segment;
  std::optional<std::string> story_segment;
  std::optional<std::string> view_segment;
};

std::optional<Format> feed_format(std::string_view name) {
  if (name == "feed.atom") return Format::atom;
  if (name == "feed.rss") return Format::rss;
  if (name == "feed.json") return Format::json;
  return std::nullopt;
}

Target classify(const boost::urls::url_view& url) {
  std::vector<std::string> segs;
  for (auto s : url.segments()) segs.emplace_back(s);
  if (!segs.empty() && segs.back().empty()) segs.pop_back();  // trailing slash
  Target t;
  if (segs.empty()) {
    t.route = Route::page;
  } else if (segs.size() == 1) {
    if (auto f = feed_format(segs[0])) {
      t.route = Route::feed;
      t.format = *f;
    } else if (segs[0] == "sources") {
      t.route = Route::sources;
    } else if (segs[0] == "sources.opml") {
      t.route = Route::opml;
    } else if (segs[0] == "healthz") {
      t.route = Route::healthz;
    } else if (segs[0] == "metrics") {
      t.route = Route::metrics;
    }
  } else if (segs.size() == 2 && segs[0] == "stories") {
    t.route = Route::story;
    t.story_segment = segs[1];
  } else if (segs.size() == 2 && segs[0] == "views") {
    t.route = Route::view;
    t.view_segment = segs[1];
  } else if (segs.size() == 3 && segs[0] == "views") {
    if (auto f = feed_format(segs[2])) {
      t.route = Route::view;
      t.format = *f;
      t.view_segment = segs[1];
    }
  } else if (segs.size() == 2 && segs[0] == "top") {
    if (auto f = feed_format(segs[1])) {
      t.route = Route::top_feed;
      t.format = *f;
    }
  } else if (segs.size() == 3 && (segs[0] == "sources" || segs[0] == "categories")) {
    if (auto f = feed_format(segs[2])) {
      t.format = *f;
      if (segs[0] == "sources") {
        t.route = Route::source_feed;
        t.source_segment = segs[1];
      } else {
        t.route = Route::category_feed;
        t.category_segment = segs[1];
      }
    }
  }
  return t;
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), id);
  if (r.ec != std::errc{} || r.ptr != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

// The selection a request names, or the reason it is a bad request.
std::optional<Selection> read_selection(const boost::urls::url_view& url, const Target& target,
                                        const ServerOptions& options, std::string& error) {
  Selection s;
  s.limit = options.default_limit;
  if (target.source_segment) {
    s.source_id = parse_id(*target.source_segment);
    if (!s.source_id) return error = "source id must be a positive integer", std::nullopt;
  }
  if (target.category_segment) s.category_slug = *target.category_segment;
  if (target.view_segment) s.view_slug = *target.view_segment;
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  for (auto param : url.params(opts)) {
    const std::string& key = param.key;
    const std::string& value = param.value;
    if (key == "q") {
      if (value.size() > options.max_query_bytes) return error = "q is too long", std::nullopt;
      s.query = clean_text(value);
    } else if (key == "limit") {
      auto n = parse_id(value);
      if (!n || static_cast<std::size_t>(*n) > options.max_limit) {
        return error = "limit must be 1.." + std::to_string(options.max_limit), std::nullopt;
      }
      s.limit = static_cast<std::size_t>(*n);
      s.limit_given = true;
    } else if (key == "sort") {
      if (value != "date" && value != "relevance") {
        return error = "sort must be date (newest first, the default) or relevance", std::nullopt;
      }
      s.by_relevance = value == "relevance";
    } else if (key == "before") {
      s.before = detail::parse_cursor_text(value);
      if (!s.before) return error = "before is not a cursor from a next link", std::nullopt;
    } else if (key == "after") {
      s.after = detail::parse_cursor_text(value);
      if (!s.after || s.after->relevance)
        return error = "after is not a cursor from a newer link", std::nullopt;
    } else if (key == "hl") {
      if (value != "vi" && value != "en") return error = "hl must be vi or en", std::nullopt;
      s.hl = value;
    } else if (key == "source" && !target.source_segment && !value.empty()) {
      s.source_id = parse_id(value);
      if (!s.source_id) return error = "source must be a positive integer", std::nullopt;
    } else if (key == "category" && !target.category_segment && !value.empty()) {
      s.category_slug = value;
    }
  }
  while (!s.query.empty() && s.query.back() == ' ') s.query.pop_back();
  if (s.view_slug && (!s.query.empty() || s.source_id || s.category_slug || s.by_relevance)) {
    return error = "a view selects its own stories: no q, sort, source or category", std::nullopt;
  }
  if (s.query.empty()) s.by_relevance = false;  // nothing to rank: the newest come first
  if (s.before && s.before->relevance.has_value() != s.by_relevance) {
    return error = "before is not a cursor from a next link of this sort order", std::nullopt;
  }
  if (s.after && (s.before || !s.query.empty())) {
    return error = s.before ? "after and before together name no page" : "a search has no newer pages",
           std::nullopt;
  }
  return s;
}

// Links in a rendering follow the base URL of its request, so the base is part of the key:
// one Host never sees the links of another.
std::string cache_key(const Target& t, const Selection& s, const std::string& base) {
  std::string key = base + "|" + std::to_string(static_cast<int>(t.route)) + "|" +
                    std::to_string(static_cast<int>(t.format));
  key += "|s=" + (s.source_id ? std::to_string(*s.source_id) : "");
  key += "|c=" + s.category_slug.value_or("");
  key += "|v=" + s.view_slug.value_or("");
  key += "|l=" + std::to_string(s.limit) + (s.limit_given ? "!" : "");
  key += "|b=" + (s.before ? detail::cursor_text(*s.before) : "");
  key += "|a=" + (s.after ? detail::cursor_text(*s.after) : "");
  key += "|q=" + s.query + (s.by_relevance ? "|relevance" : "");
  return key;
}

// A reader page also depends on its reader's language and on the minute ("5 phút trước"):
// it is drawn again at most once a minute.
std::string page_key(std::string key, const Reader& reader) {
  key += "|hl=" + reader.hl + "|lang=" + std::string(language_tag(reader.language));
  key += "|minute=" + std::to_string(reader.now.time_since_epoch().count() / 60);
  return key;
}

// Who reads, in which language, when.
Reader reader_of(const Request& req, const Selection& s, const Context& ctx, const std::string& switch_url) {
  Reader reader;
  reader.language = choose_language(s.hl, req[http::field::accept_language]);
  reader.hl = s.hl;
  reader.now = ctx.options().clock();
  reader.zone = ctx.display_zone();
  reader.switch_language_url = switch_url;
  return reader;
}

const char* content_type(Format f) {
  switch (f) {
    case Format::atom: return "application/atom+xml; charset=utf-8";
    case Format::rss: return "application/rss+xml; charset=utf-8";
    case Format::json: return "application/feed+json; charset=utf-8";
    case Format::html: break;
  }
  return "text/html; charset=utf-8";
}

storage::TopQuery top_query(const TopSettings& top, Instant now, std::size_t limit) {
  storage::TopQuery q;
  q.now = now;
  q.window = top.window;
  q.half_life = top.half_life;
  q.min_publishers = top.min_publishers;
  q.limit = limit;
  return q;
}

// A menu of more sources than this would outweigh the page (60 KB): the page links the
// directory instead, which shows kDirectorySources a page.
constexpr std::size_t kMenuSources = 50;
constexpr std::size_t kDirectorySources = 100;

// The enabled sources as the page, the directory and the OPML file name and link them.
std::vector<SourceLink> source_links(const std::vector<storage::Source>& sources, const Context& ctx,
                                     const std::string& base) {
  std::vector<SourceLink> links;
  for (const auto& src : sources) {
    if (!src.settings.enabled) continue;
    Selection one;
    one.source_id = src.id;
    links.push_back(
        SourceLink{src.id, detail::source_title(src),
                   detail::public_source_url(src.id, src.settings.url, base, ctx.options()),
                   src.site_link ? public_url(*src.site_link, ctx.options().secret_params) : std::nullopt,
                   src.settings.categories, detail::selection_url(base, one, Format::atom, false)});
  }
  detail::distinct_titles(links);
  return links;
}

std::string sources_url(const std::string& base, const std::string& hl, const std::string& query,
                        std::size_t number) {
  boost::urls::url url(base + "/sources");
  if (!query.empty()) url.params().append({"q", query});
  if (number > 1) url.params().append({"page", std::to_string(number)});
  if (!hl.empty()) url.params().append({"hl", hl});
  return std::string(url.buffer());
}

// Renders a feed or the page for a selection; nullopt when the source/category is unknown.
// WebSub discovery (section 4) from the headers, for subscribers that do not read the body;
// empty without a hub.
std::string websub_link(const FeedMeta& m) {
  if (m.hub_url.empty()) return {};
  return "<" + m.hub_url + ">; rel=\"hub\", <" + m.self_url + ">; rel=\"self\"";
}

storage::Result<std::optional<Context::Document>> render_selection(
    Catalog& catalog, const storage::ChangeStamp& stamp, const Target& t, const Selection& s,
    const Context& ctx, const std::string& base, const Reader& reader, const Editorial& editorial) {
  const ServerOptions& o = ctx.options();
  auto categories = catalog.list_categories();
  if (!categories) return categories.error();
  storage::ClusterQuery q;
  q.limit = t.format == Format::html && !s.limit_given ? std::min(s.limit, o.page_limit) : s.limit;
  q.before = s.before;
  q.after = s.after;
  if (!s.query.empty()) q.search = s.query;
  if (s.by_relevance) q.order = storage::ClusterQuery::Order::relevance;
  const std::vector<detail::CategorySlug> slugs = detail::category_slugs(*categories);
  std::string title = o.title;
  if (s.source_id) {
    auto source = catalog.find_source(*s.source_id);
    if (!source) return source.error();
    if (!*source) return std::optional<Context::Document>{};
    q.source_id = s.source_id;
    title += " — " + detail::source_title(**source);
  }
  if (s.category_slug) {
    auto it = std::find_if(slugs.begin(), slugs.end(),
                           [&](const detail::CategorySlug& c) { return c.slug == *s.category_slug; });
    if (it == slugs.end()) return std::optional<Context::Document>{};
    q.category = it->name;
    title += " — " + it->name;
  }
  if (s.view_slug) {
    const auto view = std::find_if(editorial.views.begin(), editorial.views.end(),
                                   [&](const ViewDefinition& v) { return v.slug == *s.view_slug; });
    if (view == editorial.views.end()) return std::optional<Context::Document>{};
    q.filter = view->filter;
    if (view->window) q.filter->since = reader.now - *view->window;
    q.search = view->query;
    title += " — " + (view->title.empty() ? view->slug : view->title);
  }
  if (!s.query.empty()) title += " — “" + s.query + "”";
  auto result = catalog.latest_clusters(q);
  if (!result) return result.error();
  FeedPage page;
  FeedMeta& m = page.meta;
  m.title = title;
  m.subtitle = o.subtitle;
  m.language = o.language;
  m.generator_version = o.version;
  m.self_url = detail::selection_url(base, s, t.format, true);
  m.first_url = detail::selection_url(base, s, t.format, false);
  m.id = m.first_url;
  m.html_url = detail::selection_url(base, s, Format::html, false);
  if (t.format != Format::html) m.hub_url = o.hub_url;
  std::optional<storage::Cursor> next = result->next;
  Instant newest{};
  std::size_t bytes = 0;
  const std::vector<storage::ClusterView>& clusters = result->clusters;
  for (std::size_t i = 0; i < clusters.size(); ++i) {
    // A page that has its share of bytes ends here, however many entries were asked for:
    // the rest are on the next page, where readers that page (RFC 5005) find them.
    if (i > 0 && bytes >= o.max_document_bytes) {
      next = clusters[i - 1].position;
      break;
    }
    page.entries.push_back(detail::make_entry(clusters[i], o, base));
    bytes += detail::text_bytes(page.entries.back());
    newest = std::max(newest, page.entries.back().updated);
  }
  if (next) {
    Selection following = s;
    following.before = next;
    following.after.reset();
    m.next_url = detail::selection_url(base, following, t.format, true);
  }
  m.updated = std::max(newest, stamp.at);
  Context::Document doc;
  doc.modified = m.updated;
  doc.content_type = content_type(t.format);
  doc.link = websub_link(m);
  switch (t.format) {
    case Format::atom: doc.body = render_atom(page); break;
    case Format::rss: doc.body = render_rss(page); break;
    case Format::json: doc.body = render_json(page); break;
    case Format::html: {
      // Only the page links every source; a feed never reads the whole list.
      auto sources = catalog.list_sources();
      if (!sources) return sources.error();
      RiverPage river;
      river.feed = std::move(page);
      river.reader = reader;
      river.base_url = base;
      for (Entry& e : river.feed.entries) {
        if (!s.hl.empty()) e.story_url += "?hl=" + s.hl;
      }
      river.sources = source_links(*sources, ctx, base);
      river.source_count = river.sources.size();
      if (river.source_count > kMenuSources) {
        std::erase_if(river.sources, [&](const SourceLink& l) { return l.id != s.source_id; });
        river.sources_url = sources_url(base, s.hl, "", 1);
      }
      // Category links keep the search and the language; a page filters by source or by
      // category, never both.
      Selection browse;
      browse.query = s.query;
      browse.by_relevance = s.by_relevance;
      browse.hl = s.hl;
      for (const detail::CategorySlug& c : slugs) {
        Selection one;
        one.category_slug = c.slug;
        river.categories.push_back(
            CategoryLink{c.name, c.slug, detail::selection_url(base, one, Format::atom, false)});
        browse.category_slug = c.slug;
        river.category_urls.push_back(detail::selection_url(base, browse, Format::html, false));
      }
      browse.category_slug.reset();
      river.all_categories_url = detail::selection_url(base, browse, Format::html, false);
      Selection home;
      home.hl = s.hl;
      river.home_url = detail::selection_url(base, home, Format::html, false);
      if (result->previous) {
        Selection preceding = s;
        preceding.before.reset();
        preceding.after = result->previous;
        river.newer_url = detail::selection_url(base, preceding, Format::html, true);
      }
      if (s.before || s.after) river.first_url = river.feed.meta.first_url;
      const bool unfiltered = !s.source_id && !s.category_slug && !s.view_slug && s.query.empty();
      if (unfiltered && !s.before && !s.after && editorial.top.page_entries > 0) {
        auto top = catalog.top_stories(top_query(editorial.top, reader.now, editorial.top.page_entries));
        if (!top) return top.error();
        for (const storage::TopStory& story : *top) {
          river.top.push_back(detail::make_top_entry(story, o, base, reader.language));
          if (!s.hl.empty()) river.top.back().story_url += "?hl=" + s.hl;
        }
        river.top_url = detail::top_url(base, Format::atom);
      }
      river.selected_source = s.source_id;
      river.selected_category = s.category_slug;
      river.query = s.query;
      river.by_relevance = s.by_relevance;
      Selection feeds = s;
      feeds.before.reset();
      feeds.after.reset();
      river.atom_url = detail::selection_url(base, feeds, Format::atom, false);
      river.rss_url = detail::selection_url(base, feeds, Format::rss, false);
      river.json_url = detail::selection_url(base, feeds, Format::json, false);
      doc.body = render_html(river);
      break;
    }
  }
  return std::optional<Context::Document>{std::move(doc)};
}

// The top stories' feed: one document, best first, no paging.
storage::Result<std::optional<Context::Document>> render_top_document(Catalog& catalog,
                                                                      const storage::ChangeStamp& stamp,
                                                                      Format format, const Context& ctx,
                                                                      const std::string& base, Instant now,
                                                                      const TopSettings& settings) {
  const ServerOptions& o = ctx.options();
  auto top = catalog.top_stories(top_query(settings, now, settings.feed_entries));
  if (!top) return top.error();
  const Language language = o.language == "en" ? Language::en : Language::vi;
  FeedPage page;
  FeedMeta& m = page.meta;
  m.title = o.title + " — " + std::string(message(language, "top_stories"));
  m.subtitle = o.subtitle;
  m.language = o.language;
  m.generator_version = o.version;
  m.self_url = detail::top_url(base, format);
  m.first_url = m.self_url;
  m.id = m.self_url;
  m.html_url = detail::top_url(base, Format::html);
  m.hub_url = o.hub_url;
  Instant newest{};
  for (const storage::TopStory& story : *top) {
    page.entries.push_back(detail::make_top_entry(story, o, base, language));
    newest = std::max(newest, page.entries.back().updated);
  }
  m.updated = std::max(newest, stamp.at);
  Context::Document doc;
  doc.modified = m.updated;
  doc.content_type = content_type(format);
  doc.link = websub_link(m);
  switch (format) {
    case Format::atom: doc.body = render_atom(page); break;
    case Format::rss: doc.body = render_rss(page); break;
    case Format::json: doc.body = render_json(page); break;
    case Format::html: break;
  }
  return std::optional<Context::Document>{std::move(doc)};
}

// A story's page; nullopt when no story has that id.
storage::Result<std::optional<Context::Document>> render_story_document(Catalog& catalog,
                                                                        std::int64_t public_id,
                                                                        const Context& ctx,
                                                                        const std::string& base,
                                                                        const Reader& reader) {
  auto story = catalog.story(public_id);
  if (!story) return story.error();
  if (!*story || (*story)->versions.empty()) return std::optional<Context::Document>{};
  StoryPage page;
  page.reader = reader;
  page.site_title = ctx.options().title;
  Selection home;
  home.hl = reader.hl;
  page.home_url = detail::selection_url(base, home, Format::html, false);
  Context::Document doc;
  for (const storage::StoryVersion& version : (*story)->versions) {
    page.versions.push_back(detail::make_version(**story, version, ctx.options(), base));
    doc.modified = std::max(doc.modified, page.versions.back().updated);
  }
  doc.content_type = content_type(Format::html);
  doc.body = render_story(page);
  return std::optional<Context::Document>{std::move(doc)};
}

storage::Result<std::optional<Context::Document>> render_opml_document(Catalog& catalog,
                                                                       const storage::ChangeStamp& stamp,
                                                                       const Context& ctx,
                                                                       const std::string& base) {
  auto sources = catalog.list_sources();
  if (!sources) return sources.error();
  Context::Document doc;
  doc.content_type = "text/x-opml; charset=utf-8";
  doc.modified = stamp.at;
  doc.body = render_opml(source_links(*sources, ctx, base), ctx.options().title + " sources", stamp.at);
  return std::optional<Context::Document>{std::move(doc)};
}

// The sources' directory, page `number` of those whose name or site matches `query`
// (diacritics and case aside: tinhop::fold); nullopt past the last page.
storage::Result<std::optional<Context::Document>> render_sources_document(
    Catalog& catalog, const storage::ChangeStamp& stamp, const Context& ctx, const std::string& base,
    const Reader& reader, const std::string& query, std::size_t number) {
  auto sources = catalog.list_sources();
  if (!sources) return sources.error();
  SourcesPage page;
  page.reader = reader;
  page.site_title = ctx.options().title;
  page.query = query;
  Selection home;
  home.hl = reader.hl;
  page.home_url = detail::selection_url(base, home, Format::html, false);
  page.page_url = base + "/sources";
  // Folded by table, not transliterated: a search reads every source's name, ten thousand
  // of them, and ICU's transliterator costs ~60 µs a name.
  const std::string needle = fold(query);
  const std::size_t first = (number - 1) * kDirectorySources;
  for (SourceLink& link : source_links(*sources, ctx, base)) {
    if (!needle.empty()) {
      const std::string& address = link.site_link ? *link.site_link : link.feed_url;
      const auto site = boost::urls::parse_uri(address);
      const std::string host = site ? std::string(site->host()) : std::string();
      if (fold(link.title + " " + host).find(needle) == std::string::npos) continue;
    }
    if (page.matches++ < first || page.sources.size() == kDirectorySources) continue;
    Selection one = home;
    one.source_id = link.id;
    page.river_urls.push_back(detail::selection_url(base, one, Format::html, false));
    page.sources.push_back(std::move(link));
  }
  if (number > 1 && page.sources.empty()) return std::optional<Context::Document>{};
  if (number > 1) page.previous_url = sources_url(base, reader.hl, query, number - 1);
  if (first + page.sources.size() < page.matches)
    page.next_url = sources_url(base, reader.hl, query, number + 1);
  Context::Document doc;
  doc.content_type = content_type(Format::html);
  doc.modified = stamp.at;
  doc.body = render_sources(page);
  return std::optional<Context::Document>{std::move(doc)};
}

// Where a category URL of the old form (its name kept, not ASCII) moved: the same request
// with the category's current slug; nullopt when no category had that old form.
storage::Result<std::optional<std::string>> moved_category(Catalog& catalog, const Selection& s,
                                                           const Target& t, const std::string& base) {
  auto categories = catalog.list_categories();
  if (!categories) return categories.error();
  for (const detail::CategorySlug& c : detail::category_slugs(*categories)) {
    if (detail::legacy_slug(c.name) != *s.category_slug) continue;
    Selection moved = s;
    moved.category_slug = c.slug;
    return std::optional<std::string>(detail::selection_url(base, moved, t.format, true));
  }
  return std::optional<std::string>();
}

// ---------------------------------------------------------------- response helpers

const std::string& http_date_now() {
  thread_local std::time_t cached_second = 0;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    cached_second = now;
    cached = rfc822(Instant{std::chrono::seconds{now}});
  }
  return cached;
}

void common_headers(Response& res) {
  res.set(http::field::server, "tinhop");
  res.set(http::field::date, http_date_now());
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

template <class Fn>
void for_each_token(std::string_view list, Fn&& fn) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    fn(trim(list.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

bool accepts_gzip(std::string_view header) {
  bool gzip = false;
  for_each_token(header, [&](std::string_view token) {
    std::size_t semi = token.find(';');
    std::string_view coding = trim(token.substr(0, semi));
    bool zero_q = false;
    if (semi != std::string_view::npos) {
      std::string_view q = trim(token.substr(semi + 1));
      zero_q = q.starts_with("q=0") && q.find_first_not_of("q=0.") == std::string_view::npos;
    }
    if ((coding == "gzip" || coding == "x-gzip" || coding == "*") && !zero_q) gzip = true;
  });
  return gzip;
}

bool etag_matches(std::string_view header, const Rendering& r) {
  bool match = false;
  for_each_token(header, [&](std::string_view tag) {
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == r.etag || (!r.etag_gzip.empty() && tag == r.etag_gzip)) match = true;
  });
  return match;
}

std::optional<Instant> parse_http_date(std::string_view text) {
  std::tm tm{};
  std::string s(text);
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return Instant{std::chrono::seconds{timegm(&tm)}};
}

Response document_response(const Request& req, const Rendering& r, const ServerOptions& options) {
  const bool gzip = r.gzip && accepts_gzip(req[http::field::accept_encoding]);
  const std::string& etag = gzip ? r.etag_gzip : r.etag;
  bool not_modified = false;
  if (auto inm = req.find(http::field::if_none_match); inm != req.end()) {
    not_modified = etag_matches(inm->value(), r);
  } else if (auto ims = req.find(http::field::if_modified_since); ims != req.end()) {
    auto since = parse_http_date(ims->value());
    not_modified = since && r.modified <= *since;
  }
  Response res{not_modified ? http::status::not_modified : http::status::ok, req.version()};
  common_headers(res);
  res.set(http::field::etag, etag);
  res.set(http::field::last_modified, r.last_modified);
  if (!r.link.empty()) res.set(http::field::link, r.link);
  // A page's relative times ("5 phút trước") are good for a minute; its words follow
  // Accept-Language.
  const bool page = r.content_type.starts_with("text/html");
  const auto max_age =
      page ? std::min<std::chrono::seconds>(options.max_age, std::chrono::seconds(60)) : options.max_age;
  res.set(http::field::cache_control, "public, max-age=" + std::to_string(max_age.count()));
  res.set(http::field::vary, page ? "Accept-Encoding, Accept-Language" : "Accept-Encoding");
  res.keep_alive(req.keep_alive());
  if (not_modified) return res;
  res.set(http::field::content_type, r.content_type);
  if (gzip) res.set(http::field::content_encoding, "gzip");
  const auto& body = gzip ? r.gzip : r.body;
  res.content_length(body->size());
  if (req.method() != http::verb::head) res.body() = body;
  return res;
}

Response text_response(const Request& req, http::status status, std::string content_type, std::string body) {
  Response res{status, req.version()};
  common_headers(res);
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.content_length(body.size());
  if (req.method() != http::verb::head) res.body() = std::make_shared<const std::string>(std::move(body));
  return res;
}

HealthReport health_of(Catalog& catalog, const std::optional<std::string>& write_refusal,
                       const std::optional<std::string>& database_loss) {
  HealthReport report;
  if (database_loss) {
    // Degraded, not unavailable: the feeds are still served from the kept renderings, and
    // asking the database for counts would only wait for it again.
    report.state = HealthReport::State::degraded;
    report.reasons.push_back(*database_loss + "; polling paused, feeds served as last rendered");
    if (write_refusal) report.reasons.push_back("database: " + *write_refusal);
    return report;
  }
  if (write_refusal) {
    report.state = HealthReport::State::degraded;
    report.reasons.push_back("database: " + *write_refusal);
  }
  auto counts = catalog.source_counts();
  if (!counts) {
    report.state = HealthReport::State::unavailable;
    report.reasons.push_back("database: " + counts.error().message);
    return report;
  }
  const auto [enabled, polled, failing, stale] = *counts;
  if (enabled == 0) report.reasons.push_back("no enabled sources");
  if (enabled > 0 && polled == 0) report.reasons.push_back("no source polled yet");
  if (failing * 2 > enabled) {
    report.reasons.push_back(std::to_string(failing) + " of " + std::to_string(enabled) + " sources failing");
  }
  if (!report.reasons.empty()) report.state = HealthReport::State::degraded;
  // Informational: a few failing or stale sources do not make the service degraded.
  if (failing > 0 && failing * 2 <= enabled)
    report.reasons.push_back(std::to_string(failing) + " sources failing");
  if (stale > 0) report.reasons.push_back(std::to_string(stale) + " sources stale");
  return report;
}

// A small error answer to `req`.
Response failure(const Request& req, http::status status, std::string_view message) {
  Response res = error_response(status, req.version(), message);
  res.keep_alive(req.keep_alive());
  if (req.method() == http::verb::head) res.body() = nullptr;
  return res;
}

Response story_response(const Request& req, const Target& target, Context& ctx,
                        const Connection& connection) {
  auto fail = [&req](http::status status, std::string_view message) { return failure(req, status, message); };
  const auto id = parse_id(*target.story_segment);
  if (!id) return fail(http::status::not_found, "no such story");
  std::string hl;
  auto url = boost::urls::parse_origin_form(req.target());
  for (auto param : url->params()) {
    if (param.key != "hl") continue;
    if (param.value != "vi" && param.value != "en")
      return fail(http::status::bad_request, "hl must be vi or en");
    hl = param.value;
  }
  const std::string base = base_url_of(req, ctx.options(), connection);
  Selection chosen;
  chosen.hl = hl;
  const Language language = choose_language(hl, req[http::field::accept_language]);
  const Reader reader =
      reader_of(req, chosen, ctx, detail::story_url(base, *id, language == Language::vi ? "en" : "vi"));
  const std::string key = page_key(base + "|story|" + std::to_string(*id), reader);
  auto outcome = ctx.cached(key, [&](Catalog& c, const storage::ChangeStamp&) {
    return render_story_document(c, *id, ctx, base, reader);
  });
  if (!outcome.rendering)
    return fail(outcome.status, outcome.status == http::status::not_found ? "no such story" : outcome.error);
  return document_response(req, *outcome.rendering, ctx.options());
}

Response sources_response(const Request& req, const boost::urls::url_view& url, Context& ctx,
                          const Connection& connection) {
  auto fail = [&req](http::status status, std::string_view message) { return failure(req, status, message); };
  Selection chosen;
  std::string query;
  std::size_t number = 1;
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  for (auto param : url.params(opts)) {
    if (param.key == "hl") {
      if (param.value != "vi" && param.value != "en")
        return fail(http::status::bad_request, "hl must be vi or en");
      chosen.hl = param.value;
    } else if (param.key == "q") {
      if (param.value.size() > ctx.options().max_query_bytes)
        return fail(http::status::bad_request, "q is too long");
      query = clean_text(param.value);
    } else if (param.key == "page") {
      const auto n = parse_id(param.value);
      if (!n || *n > 100000) return fail(http::status::bad_request, "page must be 1..100000");
      number = static_cast<std::size_t>(*n);
    }
  }
  while (!query.empty() && query.back() == ' ') query.pop_back();
  const std::string base = base_url_of(req, ctx.options(), connection);
  const Language language = choose_language(chosen.hl, req[http::field::accept_language]);
  const Reader reader =
      reader_of(req, chosen, ctx, sources_url(base, language == Language::vi ? "en" : "vi", query, number));
  const std::string key = page_key(base + "|sources|" + std::to_string(number) + "|q=" + query, reader);
  auto outcome = ctx.cached(key, [&](Catalog& c, const storage::ChangeStamp& stamp) {
    return render_sources_document(c, stamp, ctx, base, reader, query, number);
  });
  if (!outcome.rendering)
    return fail(outcome.status, outcome.status == http::status::not_found ? "no such page" : outcome.error);
  return document_response(req, *outcome.rendering, ctx.options());
}

}  // namespace

Route route_of(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  return url ? classify(*url).route : Route::other;
}

Response error_response(http::status status, unsigned version, std::string_view message) {
  Response res{status, version};
  common_headers(res);
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  std::string body(message);
  body += '\n';
  res.content_length(body.size());
  res.body() = std::make_shared<const std::string>(std::move(body));
  return res;
}

Response handle(const Request& req, Context& ctx, const Connection& connection) {
  auto fail = [&req](http::status status, std::string_view message) { return failure(req, status, message); };
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    Response res = fail(http::status::method_not_allowed, "method not allowed");
    res.set(http::field::allow, "GET, HEAD");
    return res;
  }
  auto url = boost::urls::parse_origin_form(req.target());
  if (!url) return fail(http::status::bad_request, "malformed request target");
  const Target target = classify(*url);
  switch (target.route) {
    case Route::other: return fail(http::status::not_found, "not found");
    case Route::healthz: {
      HealthReport h = ctx.with_catalog([refusal = ctx.write_refusal(), loss = ctx.database_loss()](
                                            Catalog& c) { return health_of(c, refusal, loss); });
      std::string body = h.state == HealthReport::State::ready      ? "ready\n"
                         : h.state == HealthReport::State::degraded ? "degraded\n"
                                                                    : "unavailable\n";
      for (const auto& r : h.reasons) body += "- " + r + "\n";
      auto status =
          h.state == HealthReport::State::unavailable ? http::status::service_unavailable : http::status::ok;
      return text_response(req, status, "text/plain; charset=utf-8", std::move(body));
    }
    case Route::metrics: {
      std::string body = ctx.with_catalog([&ctx](Catalog& c) {
        auto stats = c.stats();
        auto health = c.all_health();
        auto rule_counts = c.rule_counts();
        return ctx.metrics().render(stats ? &*stats : nullptr, health ? &*health : nullptr,
                                    rule_counts ? &*rule_counts : nullptr);
      });
      return text_response(req, http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                           std::move(body));
    }
    case Route::opml: {
      const std::string base = base_url_of(req, ctx.options(), connection);
      auto outcome = ctx.cached(base + "|opml", [&](Catalog& c, const storage::ChangeStamp& stamp) {
        return render_opml_document(c, stamp, ctx, base);
      });
      if (!outcome.rendering) return fail(outcome.status, outcome.error);
      return document_response(req, *outcome.rendering, ctx.options());
    }
    case Route::story: return story_response(req, target, ctx, connection);
    case Route::sources: return sources_response(req, *url, ctx, connection);
    case Route::top_feed: {
      const std::string base = base_url_of(req, ctx.options(), connection);
      const auto editorial = ctx.editorial();
      const Instant now = ctx.options().clock();
      // Scores keep their order as time passes; the window's edge moves: drawn again at
      // most once a minute.
      const std::string key = base + "|top|" + std::to_string(static_cast<int>(target.format)) +
                              "|minute=" + std::to_string(now.time_since_epoch().count() / 60);
      auto outcome = ctx.cached(key, [&](Catalog& c, const storage::ChangeStamp& stamp) {
        return render_top_document(c, stamp, target.format, ctx, base, now, editorial->top);
      });
      if (!outcome.rendering) return fail(outcome.status, outcome.error);
      return document_response(req, *outcome.rendering, ctx.options());
    }
    case Route::view:
    case Route::page:
    case Route::feed:
    case Route::source_feed:
    case Route::category_feed:
    case Route::count_: break;
  }
  std::string error;
  auto selection = read_selection(*url, target, ctx.options(), error);
  if (!selection) return fail(http::status::bad_request, error);
  const std::string base = base_url_of(req, ctx.options(), connection);
  if (selection->category_slug && !detail::ascii_slug_shaped(*selection->category_slug)) {
    // Not a slug of today's form: maybe a link from before slugs were ASCII.
    auto moved = ctx.with_catalog([&](Catalog& c) { return moved_category(c, *selection, target, base); });
    if (!moved) return fail(http::status::service_unavailable, "the store is unavailable; try again later");
    if (!*moved) return fail(http::status::not_found, "no such feed");
    Response res = fail(http::status::moved_permanently, "moved to " + **moved);
    res.set(http::field::location, **moved);
    res.set(http::field::cache_control, "public, max-age=" + std::to_string(ctx.options().max_age.count()));
    return res;
  }
  Selection other_language = *selection;
  other_language.hl =
      choose_language(selection->hl, req[http::field::accept_language]) == Language::vi ? "en" : "vi";
  const Reader reader =
      reader_of(req, *selection, ctx, detail::selection_url(base, other_language, target.format, true));
  const auto editorial = ctx.editorial();
  std::string key = cache_key(target, *selection, base);
  if (target.format == Format::html) {
    key = page_key(std::move(key), reader);
  } else if (selection->view_slug) {
    // A view's window moves with time, not only with the store.
    key += "|minute=" + std::to_string(reader.now.time_since_epoch().count() / 60);
  }
  auto outcome = ctx.cached(key, [&](Catalog& c, const storage::ChangeStamp& stamp) {
    return render_selection(c, stamp, target, *selection, ctx, base, reader, *editorial);
  });
  if (!outcome.rendering) {
    if (outcome.status == http::status::not_found && selection->view_slug) {
      return fail(http::status::not_found, "no such view");
    }
    return fail(outcome.status, outcome.error);
  }
  return document_response(req, *outcome.rendering, ctx.options());
}

}  // namespace tinhop::publish
