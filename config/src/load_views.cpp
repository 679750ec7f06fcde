// The [[views]] entries and the [top] table: each field typed with its line, then the
// checks a view's filters obey (an ASCII slug, unique; a query with words; source URLs
// like [[source]]'s; language tags), each reported at its own line.
#include <algorithm>
#include <cctype>

#include "reader.hpp"
#include "tinhop/config/source.hpp"

namespace tinhop::config::detail {

namespace {

constexpr std::chrono::seconds kTenYears = std::chrono::hours(24 * 3653);

bool valid_slug(std::string_view slug) {
  if (slug.empty() || slug.size() > 64 || slug.front() == '-' || slug.back() == '-') return false;
  return std::all_of(slug.begin(), slug.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

// BCP 47 as feeds write it: a 2-3 letter language, then subtags of 1-8 letters or digits.
// Lowercased, '_' read as '-' (the form items.language stores); nullopt when not a tag.
std::optional<std::string> language_tag(std::string_view text) {
  std::string tag;
  std::size_t subtag = 0;
  for (const char raw : text) {
    const char c = raw == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(raw)));
    if (c == '-') {
      if (subtag == 0 || (tag.find('-') == std::string::npos && subtag < 2)) return std::nullopt;
      subtag = 0;
    } else if (std::isalnum(static_cast<unsigned char>(c)) == 0 || ++subtag > 8) {
      return std::nullopt;
    }
    tag += c;
  }
  const std::size_t language = tag.find('-') == std::string::npos ? tag.size() : tag.find('-');
  if (subtag == 0 || language < 2 || language > 3) return std::nullopt;
  if (!std::all_of(tag.begin(), tag.begin() + static_cast<std::ptrdiff_t>(language),
                   [](char c) { return c >= 'a' && c <= 'z'; })) {
    return std::nullopt;
  }
  return tag;
}

// Whether a full-text query leaves a word to search once its quotes and '*' are read.
bool has_words(std::string_view query) {
  return std::any_of(query.begin(), query.end(), [](char c) {
    return c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '"' && c != '*';
  });
}

std::optional<ViewConfig> read_view(Reader& r, const toml::table& t, const std::string& prefix) {
  r.reject_unknown(
      t, prefix,
      {"slug", "title", "query", "sources", "categories", "languages", "window", "min_publishers"});
  const std::size_t errors_before = r.error_count();
  ViewConfig view;
  view.line = Reader::line_of(t);
  r.read(t, "slug", prefix, view.slug);
  if (!t.get("slug")) {
    r.error(view.line, prefix + ".slug", "every view needs a slug (its URL: /views/{slug})");
  } else if (!valid_slug(view.slug)) {
    r.error(Reader::line_of(t, "slug"), prefix + ".slug",
            "\"" + view.slug + "\" must be 1-64 of a-z, 0-9 and '-', not starting or ending with '-'");
  }
  r.read(t, "title", prefix, view.title);
  r.read(t, "query", prefix, view.query);
  if (t.get("query") && !has_words(view.query)) {
    r.error(Reader::line_of(t, "query"), prefix + ".query", "has no words to search for");
  }
  std::vector<std::string> sources;
  read_string_list(r, t, "sources", prefix, sources);
  for (const std::string& url : sources) {
    UrlCheck check = check_source_url(url);
    if (check.error.empty()) {
      view.sources.push_back(std::move(check.canonical));
    } else {
      r.error(Reader::line_of(t, "sources"), prefix + ".sources", check.error);
    }
  }
  read_string_list(r, t, "categories", prefix, view.categories);
  for (const std::string& category : view.categories) {
    if (category.empty()) r.error(Reader::line_of(t, "categories"), prefix + ".categories", "empty category");
  }
  std::vector<std::string> languages;
  read_string_list(r, t, "languages", prefix, languages);
  for (const std::string& text : languages) {
    if (auto tag = language_tag(text)) {
      view.languages.push_back(std::move(*tag));
    } else {
      r.error(Reader::line_of(t, "languages"), prefix + ".languages",
              "\"" + text + "\" is not a language tag (\"vi\", \"en\", \"zh-hans\")");
    }
  }
  r.read_duration(t, "window", prefix, view.window, std::chrono::minutes(1), kTenYears);
  r.read(t, "min_publishers", prefix, view.min_publishers, 1, 1000);
  if (r.error_count() != errors_before) return std::nullopt;
  return view;
}

}  // namespace

void read_views(Reader& r, const toml::node& node, Config& config) {
  FirstSeen slugs("views");
  read_table_array(r, node, "views",
                   [&](const toml::table& table, const std::string& prefix, std::size_t index) {
                     auto view = read_view(r, table, prefix);
                     if (!view) return;
                     if (auto first = slugs.add(view->slug, index, view->line)) {
                       r.error(Reader::line_of(table, "slug"), prefix + ".slug",
                               "\"" + view->slug + "\" is already the slug of " + *first);
                     } else {
                       config.views.push_back(std::move(*view));
                     }
                   });
}

void read_top(Reader& r, const toml::table& t, TopConfig& out) {
  const std::string p = "top";
  r.reject_unknown(t, p, {"half_life", "window", "min_publishers", "page_entries", "feed_entries"});
  std::optional<std::chrono::seconds> value;
  r.read_duration(t, "half_life", p, value, std::chrono::minutes(1), std::chrono::hours(24 * 30));
  if (value) out.half_life = *value;
  value.reset();
  r.read_duration(t, "window", p, value, std::chrono::hours(1), std::chrono::hours(24 * 365));
  if (value) out.window = *value;
  r.read(t, "min_publishers", p, out.min_publishers, 1, 1000);
  r.read(t, "page_entries", p, out.page_entries, 0, 20);
  r.read(t, "feed_entries", p, out.feed_entries, 1, 200);
}

}  // namespace tinhop::config::detail
