// One source as the configuration describes it: the settings shared by the file, the CLI,
// the admin API and OPML, plus the checks every way of adding a source goes through.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tinhop/parsers/html_listing.hpp"
#include "tinhop/parsers/model.hpp"

namespace tinhop::config {

// How a source is read: a feed document, or a listing page scraped with selectors.
enum class SourceType { feed, html };

// What the republished feed may carry from a source, because agencies' rights differ.
enum class Republication {
  full,     // the content as sanitized
  summary,  // a clean excerpt
  title,    // title and link only
};

// Where a source was declared; decides who may change it (see sync.hpp).
enum class Origin {
  config,  // the TOML file: synced at start and reload, read-only elsewhere
  cli,     // `tinhop sources add` or OPML import on the command line
  api,     // the admin HTTP API
};

// Selectors for `type = "html"` sources (listing pages with no feed): the parser's own type,
// so the file, the database and the pipeline share one definition.
using HtmlSelectors = tinhop::HtmlSelectors;

// The selectors as stored in the database (a JSON object of the non-empty fields, keys as
// in the file), and back; nullopt when the text is not such an object.
std::string selectors_to_json(const HtmlSelectors& selectors);
std::optional<HtmlSelectors> selectors_from_json(std::string_view json);

// Every per-source setting. Unset optionals fall back to the [poll] and [defaults] tables
// (see with_defaults in config.hpp).
struct SourceSettings {
  std::string url;  // canonical (see canonical_url)
  std::optional<std::string> title;
  std::vector<std::string> categories;
  SourceType type = SourceType::feed;
  std::optional<std::chrono::seconds> interval;      // wished poll interval
  std::optional<std::chrono::seconds> min_interval;  // never poll more often
  std::optional<std::chrono::seconds> max_interval;  // never poll less often
  std::optional<std::string> time_zone;              // IANA, for dates without a zone
  std::optional<DateOrder> date_order;
  std::optional<Republication> republication;
  bool enabled = true;
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers, in order
  HtmlSelectors selectors;                                   // only for SourceType::html
  bool follow_links = false;  // html only: fetch each new item's page once for its content
  bool websub = true;         // websub = "auto": subscribe to the hub the feed names; "off": poll only
  friend bool operator==(const SourceSettings&, const SourceSettings&) = default;
};

// Names as written in the file, the API and OPML ("feed", "summary", "config", "dmy", ...).
std::string_view to_string(SourceType type);
std::string_view to_string(Republication policy);
std::string_view to_string(Origin origin);
std::string_view to_string(DateOrder order);
std::optional<SourceType> source_type_from(std::string_view text);
std::optional<Republication> republication_from(std::string_view text);
std::optional<Origin> origin_from(std::string_view text);
std::optional<DateOrder> date_order_from(std::string_view text);

// The URL a source is known by: scheme and host lowercased, default port and fragment
// dropped, percent-encoding and dot segments normalized, an empty path made "/". The
// query is kept as written (it often selects the feed). Two sources are duplicates when
// their canonical URLs are equal.
struct UrlCheck {
  std::string canonical;  // empty when `error` is set
  std::string error;      // why the URL is refused, with a suggestion when one is obvious
};
UrlCheck check_source_url(std::string_view url);

// Empty when `zone` is an IANA time zone ICU knows; otherwise why not, with the closest
// known name as a suggestion ("unknown time zone 'Asia/Ho_Chi_Mihn' (did you mean
// 'Asia/Ho_Chi_Minh'?)").
std::string check_time_zone(std::string_view zone);

// Empty when the header may be sent as an extra request header; otherwise why not (bad
// name characters, CR/LF in the value, or a header tinhop manages itself such as Host).
std::string check_header(std::string_view name, std::string_view value);

// Checks every field that has a rule beyond its type (URL canonical, zone known, selectors
// present for html sources, min <= interval <= max, headers allowed, no C0 control or DEL
// in the title, categories and selectors). Returns one message
// per problem as "key: message", keys as in the file ("url", "time_zone", "html.item").
std::vector<std::string> check_settings(const SourceSettings& settings);

}  // namespace tinhop::config
