// The normalized model every source is parsed into. Strings are UTF-8 in NFC.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tinhop {

// A point in time, to the second, in UTC.
using Instant = std::chrono::sys_seconds;

// How day/month order is read in all-numeric dates such as 02/08/2019.
enum class DateOrder {
  automatic,  // decided per document from values above 12 and AM/PM markers
  dmy,        // day first (Vietnamese sources)
  mdy,        // month first (US-style CMS output)
};

// What decided the order of a document's all-numeric dates, in the order the reasons are
// tried (see decide_date_order in date.hpp).
enum class DateOrderBasis {
  none,        // the document has no all-numeric date: no order was needed
  configured,  // the source's date_order setting (dmy or mdy)
  document,    // the document's own dates: a field above 12, AM/PM, Vietnamese date words
  history,     // an earlier document of the same source (ParseContext::learned_date_order)
  language,    // the document's declared language, else HTTP Content-Language (CLDR)
  time_zone,   // the customary order of the country of the source's time zone (CLDR)
  domain,      // the customary order of the country of the URL's top-level domain (CLDR)
  undecided,   // nothing decided: the ambiguous dates are not understood, their items undated
};

// Contract name of a basis ("document", "time_zone", ...).
const char* basis_name(DateOrderBasis basis);

// The order a document's numeric dates were read in, and why.
struct DateOrderDecision {
  DateOrder order = DateOrder::automatic;  // automatic when basis is none or undecided
  DateOrderBasis basis = DateOrderBasis::none;
  friend bool operator==(const DateOrderDecision&, const DateOrderDecision&) = default;
};

// The wire format a document was recognised as.
enum class FeedFormat {
  rss090,
  rss091,
  rss092,
  rss093,
  rss094,
  rss20,
  rss10,
  atom03,
  atom10,
  json10,
  json11,
  html
};

// Contract name of a format ("rss20", "atom10", ...).
const char* format_name(FeedFormat format);

// Which parsing path produced a result: strict XML, XML after a repairing pre-pass, or
// the tolerant tag-soup reader.
enum class ParsePath { strict, repaired, tag_soup, json, html };

// An optional value held on the heap, copied deeply: one pointer in the object that holds
// it, for data most objects do not have.
template <class T>
class Boxed {
 public:
  Boxed() = default;
  Boxed(const Boxed& other) : value_(other.value_ ? std::make_unique<T>(*other.value_) : nullptr) {}
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(const Boxed& other) {
    if (this != &other) value_ = other.value_ ? std::make_unique<T>(*other.value_) : nullptr;
    return *this;
  }
  Boxed& operator=(Boxed&&) noexcept = default;
  ~Boxed() = default;

  explicit operator bool() const { return value_ != nullptr; }
  const T* operator->() const { return value_.get(); }
  const T& operator*() const { return *value_; }
  T* operator->() { return value_.get(); }
  T& operator*() { return *value_; }
  // The value, default-constructed on first use.
  T& ensure() {
    if (!value_) value_ = std::make_unique<T>();
    return *value_;
  }

 private:
  std::unique_ptr<T> value_;
};

struct Author {
  std::optional<std::string> name;
  std::optional<std::string> email;
  std::optional<std::string> uri;
};

struct Enclosure {
  std::string url;
  std::optional<std::string> type;
  std::optional<std::int64_t> length;
  std::optional<std::string> medium;  // media:content medium: image, audio, video, document, executable
};

// A person credited with a role rather than as the author (media:credit, podcast:person).
struct Credit {
  std::string name;
  std::optional<std::string> role;    // "producer", "host", ... as written, lowercased
  std::optional<std::string> scheme;  // the role vocabulary (urn:ebu, podcastindex ...)
};

// A WGS 84 position (georss:point, geo:lat/geo:long, gml:pos, podcast:location geo=).
struct GeoPoint {
  double latitude = 0;
  double longitude = 0;
};

// media:rating: "adult", "r", "nonadult" ... in a scheme (urn:simple when none is named).
struct MediaRating {
  std::string value;
  std::string scheme;
};

// media:restriction: who may (allow) or may not (deny) see the media.
struct MediaRestriction {
  std::string relationship;         // "allow" or "deny"
  std::optional<std::string> type;  // "country", "uri" or "sharing"
  std::vector<std::string> values;  // ISO 3166 codes (lowercased) or URIs; empty: all/none
};

// media:license: the terms the media is published under.
struct MediaLicense {
  std::optional<std::string> name;  // the element's text
  std::optional<std::string> url;   // href, absolute
  std::optional<std::string> type;
};

// Where an entry was copied from (Atom source, RSS <source url>, dc:source).
struct ItemSource {
  std::optional<std::string> title;
  std::optional<std::string> link;  // absolute
  std::optional<std::string> id;
};

// What some feeds say about an item beyond the fields every consumer reads. Allocated only
// for items that carry one of them, so the common item stays small. The records few items
// have are boxed again: an item whose only extra is its detected language (the usual one,
// in feeds that declare none) carries 264 bytes of extras, not 664.
struct ItemExtras {
  std::optional<std::string> subtitle;           // itunes:subtitle (plain text)
  std::optional<std::string> rights;             // atom:rights, dc:rights, media:copyright
  std::optional<std::string> language;           // the entry's own xml:lang / dc:language
  std::vector<Author> contributors;              // atom:contributor, dc:contributor
  std::vector<Credit> credits;                   // media:credit, podcast:person
  std::optional<bool> explicit_content;          // itunes:explicit, googleplay:explicit
  std::optional<std::int64_t> duration_seconds;  // itunes:duration
  std::optional<int> season;                     // itunes:season, podcast:season
  std::optional<int> episode;                    // itunes:episode, podcast:episode
  std::optional<GeoPoint> point;
  Boxed<MediaRating> rating;
  Boxed<MediaRestriction> restriction;
  Boxed<MediaLicense> license;
  Boxed<ItemSource> source;
};

struct Item {
  std::optional<std::string> id;       // the item's own guid/id/rdf:about, as given
  std::optional<std::string> link;     // absolute
  std::optional<std::string> title;    // plain text
  std::optional<std::string> summary;  // as the feed gives it (HTML stays HTML)
  std::optional<std::string> content;  // as the feed gives it
  std::optional<Instant> published;
  std::optional<Instant> updated;
  bool date_in_future = false;    // a date far beyond the fetch time: flagged, not trusted
  bool date_approximate = false;  // relative ("2 giờ trước") or first-seen dates
  std::vector<Author> authors;
  std::vector<std::string> categories;
  std::vector<Enclosure> enclosures;
  std::optional<std::string> thumbnail;  // absolute image URL
  std::optional<std::string> comments;   // absolute URL of the comments page
  Boxed<ItemExtras> extras;              // empty for most items
};

struct Feed {
  FeedFormat format = FeedFormat::rss20;
  std::string encoding = "utf-8";  // charset the bytes were decoded from (IANA, lowercase)
  std::optional<std::string> title;
  std::optional<std::string> link;
  std::optional<std::string> description;
  std::optional<std::string> language;
  std::optional<Instant> updated;
  std::optional<Instant> published;      // RSS channel pubDate, dcterms:issued
  std::optional<std::string> id;         // atom:id, podcast:guid
  std::optional<std::string> rights;     // copyright, dc:rights, atom:rights
  std::optional<std::string> image;      // absolute: RSS <image><url>, itunes:image, atom:logo
  std::optional<std::string> icon;       // absolute: atom:icon, JSON Feed favicon
  std::optional<std::string> generator;  // generator, admin:generatorAgent
  std::optional<bool> explicit_content;  // itunes:explicit, googleplay:explicit
  std::vector<Author> authors;           // managingEditor, dc:creator, itunes:author, atom:author
  std::vector<Author> contributors;      // dc:contributor, atom:contributor
  std::vector<std::string> categories;   // category, dc:subject, itunes:category, media:category
  // Publisher hints for the scheduler.
  std::optional<int> ttl_minutes;            // RSS <ttl>
  std::optional<int> update_period_seconds;  // sy:updatePeriod / sy:updateFrequency
  std::vector<int> skip_hours;               // RSS <skipHours>, 0-23
  std::vector<std::string> skip_days;        // RSS <skipDays>, "Monday" ...
  // WebSub discovery (W3C WebSub section 4): where the publisher pushes updates, absolute.
  std::vector<std::string> hubs;        // atom:link rel="hub", JSON Feed hubs[].url
  std::optional<std::string> self_url;  // atom:link rel="self": the topic a hub knows
  std::vector<Item> items;
};

// What the caller knows about a document besides its bytes.
struct ParseContext {
  std::string url;                // where it was fetched from; relative links resolve against it
  std::string content_type;       // HTTP Content-Type header, may carry a charset
  std::string time_zone = "UTC";  // IANA zone for dates without one
  DateOrder date_order = DateOrder::automatic;
  Instant now{};                 // fetch time: relative dates and "far in the future" are judged from it
  std::string content_language;  // HTTP Content-Language header, a hint for the date order
  // The order an earlier document of the same source showed by its own dates; consulted
  // when this one's dates do not decide. automatic: none did (or not known).
  DateOrder learned_date_order = DateOrder::automatic;
};

struct ParseResult {
  Feed feed;
  ParsePath path = ParsePath::strict;
  std::vector<std::string> warnings;     // one per recovered problem
  std::size_t memory_peak = 0;           // most bytes the parse's memory budget held at once
  DateOrderDecision date_order;          // how the document's all-numeric dates were read
  std::size_t dates_not_understood = 0;  // date fields present but unreadable: their items undated
};

}  // namespace tinhop
