// The [[source]] entries: each field typed and checked with its line, then the rules every
// source obeys (check_settings), then the list-wide ones (duplicates after canonicalization).
#include <algorithm>

#include "reader.hpp"
#include "tinhop/config/source.hpp"
#include "tinhop/config/units.hpp"

namespace tinhop::config::detail {

namespace {

using std::chrono::seconds;

constexpr seconds one_year = std::chrono::hours(24 * 366);

void read_headers(Reader& r, const toml::table& t, const std::string& prefix, SourceSettings& out) {
  const toml::node* node = t.get("headers");
  if (!node) return;
  const toml::table* table = node->as_table();
  if (!table) return r.wrong_type(*node, prefix + ".headers", "a table of strings");
  for (const auto& [name, value] : *table) {
    if (const auto* text = value.as_string()) {
      out.headers.emplace_back(std::string(name.str()), text->get());
    } else {
      r.wrong_type(value, prefix + ".headers." + std::string(name.str()), "a string");
    }
  }
}

// Every key of a [[source]] table.
const std::vector<std::string_view>& source_keys() {
  static const std::vector<std::string_view> keys{"url",        "title",         "categories",   "type",
                                                  "interval",   "min_interval",  "max_interval", "time_zone",
                                                  "date_order", "republication", "enabled",      "headers",
                                                  "html",       "follow_links",  "websub"};
  return keys;
}

void read_selectors(Reader& r, const toml::table& t, const std::string& prefix, SourceSettings& out) {
  const toml::node* node = t.get("html");
  if (!node) return;
  const toml::table* table = node->as_table();
  if (!table) return r.wrong_type(*node, prefix + ".html", "a table of selectors");
  const std::string p = prefix + ".html";
  std::vector<std::string_view> known{"item", "title", "link", "date", "summary", "image", "date_format"};
  // TOML puts every key after a [source.html] line into that table: a source's own key
  // written there is a matter of order, which "unknown key" would not tell.
  for (const auto& [key, value] : *table) {
    const std::string_view name = key.str();
    const auto& own = source_keys();
    if (std::find(known.begin(), known.end(), name) != known.end() ||
        std::find(own.begin(), own.end(), name) == own.end())
      continue;
    r.error(Reader::line_of(value), p + "." + std::string(name),
            "belongs to the [[source]] itself: write it above the [source.html] line");
    known.push_back(name);
  }
  r.reject_unknown(*table, p, known);
  r.read(*table, "item", p, out.selectors.item);
  r.read(*table, "title", p, out.selectors.title);
  r.read(*table, "link", p, out.selectors.link);
  r.read(*table, "date", p, out.selectors.date);
  r.read(*table, "summary", p, out.selectors.summary);
  r.read(*table, "image", p, out.selectors.image);
  r.read(*table, "date_format", p, out.selectors.date_format);
}

// Line of the key a check_settings message names ("html.item", "headers", "url").
std::uint32_t line_for(const toml::table& t, std::string_view key) {
  std::string_view head = key.substr(0, key.find('.'));
  // A missing selector table is a consequence of `type = "html"`: point there.
  if (head == "html" && !t.get("html")) head = "type";
  const toml::node* node = t.get(head);
  if (node && head.size() < key.size()) {
    if (const toml::table* inner = node->as_table())
      return Reader::line_of(*inner, key.substr(head.size() + 1));
  }
  return Reader::line_of(t, head);
}

// Reads one [[source]]; nullopt when the URL is unusable (the other problems are reported
// and the source kept so that duplicates are still found).
std::optional<FileSource> read_source(Reader& r, const toml::table& t, const std::string& p,
                                      const Config& config) {
  r.reject_unknown(t, p, source_keys());
  FileSource source;
  source.line = Reader::line_of(t);
  SourceSettings& s = source.settings;
  bool url_ok = false;
  if (!t.get("url")) {
    r.error(source.line, p + ".url", "a source needs a url");
  } else {
    std::string url;
    r.read(t, "url", p, url);
    if (t.get("url")->is_string()) {
      UrlCheck check = check_source_url(url);
      if (check.error.empty()) {
        s.url = check.canonical;
        url_ok = true;
      } else {
        r.error(Reader::line_of(t, "url"), p + ".url", check.error);
      }
    }
  }
  std::string title;
  r.read(t, "title", p, title);
  if (t.get("title")) s.title = title;
  read_string_list(r, t, "categories", p, s.categories);
  r.read_enum(t, "type", p, s.type, source_type_from, "feed, html");
  r.read_duration(t, "interval", p, s.interval, config.poll.min_interval, config.poll.max_interval);
  r.read_duration(t, "min_interval", p, s.min_interval, std::chrono::seconds(10), one_year);
  r.read_duration(t, "max_interval", p, s.max_interval, std::chrono::seconds(10), one_year);
  if (t.get("time_zone")) {
    std::string zone;
    r.read(t, "time_zone", p, zone);
    if (t.get("time_zone")->is_string()) s.time_zone = zone;
  }
  if (t.get("date_order")) {
    DateOrder order = DateOrder::automatic;
    std::size_t before = r.error_count();
    r.read_enum(t, "date_order", p, order, date_order_from, "auto, dmy, mdy");
    if (r.error_count() == before) s.date_order = order;
  }
  if (t.get("republication")) {
    Republication policy = Republication::full;
    std::size_t before = r.error_count();
    r.read_enum(t, "republication", p, policy, republication_from, "full, summary, title");
    if (r.error_count() == before) s.republication = policy;
  }
  r.read(t, "enabled", p, s.enabled);
  r.read(t, "follow_links", p, s.follow_links);
  r.read_enum(
      t, "websub", p, s.websub,
      [](std::string_view text) -> std::optional<bool> {
        if (text == "auto") return true;
        if (text == "off") return false;
        return std::nullopt;
      },
      "auto, off");
  read_headers(r, t, p, s);
  read_selectors(r, t, p, s);
  // The shared per-source rules; the URL was reported above with its own message.
  for (const std::string& problem : check_settings(s)) {
    std::size_t colon = problem.find(": ");
    std::string key = problem.substr(0, colon);
    if (key == "url") continue;
    r.error(line_for(t, key), p + "." + key, problem.substr(colon + 2));
  }
  if (!url_ok) return std::nullopt;
  return source;
}

}  // namespace

void read_string_list(Reader& r, const toml::table& t, std::string_view key, const std::string& prefix,
                      std::vector<std::string>& out) {
  const toml::node* node = t.get(key);
  if (!node) return;
  const toml::array* array = node->as_array();
  if (!array) return r.wrong_type(*node, Reader::join(prefix, key), "an array of strings");
  for (const toml::node& element : *array) {
    if (const auto* value = element.as_string()) {
      out.push_back(value->get());
    } else {
      r.wrong_type(element, Reader::join(prefix, key), "an array of strings");
    }
  }
}

void read_sources(Reader& r, const toml::node& node, Config& config) {
  FirstSeen urls("source");  // by canonical URL
  read_table_array(
      r, node, "source", [&](const toml::table& table, const std::string& prefix, std::size_t index) {
        auto source = read_source(r, table, prefix, config);
        if (!source) return;
        if (auto first = urls.add(source->settings.url, index, source->line)) {
          r.error(
              Reader::line_of(table, "url"), prefix + ".url",
              "duplicate of " + *first + " (same URL after canonicalization: " + source->settings.url + ")");
        } else {
          config.sources.push_back(std::move(*source));
        }
      });
}

}  // namespace tinhop::config::detail
