// parse_feed: charset, then format detection from the content, then one mapper, then the
// normalization every format shares (dates, placeholders, thumbnails, NFC, field caps).
#include "tinhop/parsers/feed.hpp"

#include <algorithm>
#include <limits>
#include <tuple>
#include <utility>

#include "budget_terms.hpp"
#include "mapping.hpp"
#include "text_internal.hpp"
#include "tinhop/parsers/charset.hpp"
#include "tinhop/parsers/date.hpp"
#include "tinhop/parsers/language.hpp"
#include "tinhop/parsers/memory_budget.hpp"
#include "tinhop/parsers/text.hpp"
#include "xml_entities.hpp"
#include "xml_reader.hpp"
#include "xml_stream.hpp"

namespace tinhop {
namespace {

using detail::DateField;
using detail::Mapping;
using xml::Ns;

std::optional<FeedFormat> detect_xml_format(pugi::xml_node root) {
  const std::string_view name = detail::rss_name(xml::local_name(root));
  const Ns ns = xml::namespace_of(root);
  if (name == "rss" || name == "channel") {
    const std::string version = xml::attribute_value(root, "version");
    if (version == "0.90") return FeedFormat::rss090;
    if (version == "0.91") return FeedFormat::rss091;
    if (version == "0.92") return FeedFormat::rss092;
    if (version == "0.93") return FeedFormat::rss093;
    if (version == "0.94") return FeedFormat::rss094;
    return FeedFormat::rss20;
  }
  if (name == "RDF") {
    for (pugi::xml_node child : root.children()) {
      if (child.type() == pugi::node_element &&
          (xml::local_name(child) == "channel" || xml::local_name(child) == "item")) {
        return xml::namespace_of(child) == Ns::rss090 ? FeedFormat::rss090 : FeedFormat::rss10;
      }
    }
    // An empty RDF feed: its default namespace still says which RSS it is.
    const Ns default_ns = xml::classify_namespace(root.attribute("xmlns").value());
    if (default_ns == Ns::rss090) return FeedFormat::rss090;
    if (default_ns == Ns::rss10) return FeedFormat::rss10;
    return std::nullopt;
  }
  if (name == "feed") {
    if (ns == Ns::atom03) return FeedFormat::atom03;
    if (ns == Ns::atom10) return FeedFormat::atom10;
    return xml::attribute_value(root, "version") == "0.3" ? FeedFormat::atom03 : FeedFormat::atom10;
  }
  return std::nullopt;
}

// Cuts an over-long field at a UTF-8 boundary.
void cap(std::optional<std::string>& field, std::size_t limit, bool& cut) {
  if (!field || field->size() <= limit) return;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>((*field)[end]) & 0xC0U) == 0x80U) --end;
  field->resize(end);
  cut = true;
}

// U+0080-U+009F in text are windows-1252 bytes someone decoded as Latin-1: what they
// meant is the windows-1252 character (HTML5 reads &#146; the same way).
void fix_c1_controls(std::string& text) {
  std::size_t at = text.find('\xC2');
  if (at == std::string::npos) return;
  std::string out;
  out.reserve(text.size());
  std::size_t done = 0;
  for (; at != std::string::npos && at + 1 < text.size(); at = text.find('\xC2', at + 1)) {
    const auto next = static_cast<unsigned char>(text[at + 1]);
    if (next < 0x80 || next > 0x9F) continue;
    out.append(text, done, at - done);
    append_code_point(out, windows_1252_fixup(next));
    done = at + 2;
  }
  if (done == 0) return;
  out.append(text, done);
  text.swap(out);
}

struct Normalizer {
  std::size_t limit;
  bool cut = false;
  std::size_t ill_formed = 0;      // fields whose ill-formed UTF-8 was replaced
  std::size_t shortened = 0;       // titles and names cut to their character caps
  std::size_t double_encoded = 0;  // fields of UTF-8 read as windows-1252, repaired

  void operator()(std::string& text) {
    // ASCII holds no C1 control, no double encoding and nothing to compose.
    if (is_ascii(text)) return;
    fix_c1_controls(text);
    if (repair_mojibake(text)) ++double_encoded;
    if (!nfc_in_place(text)) ++ill_formed;
  }

  void operator()(std::optional<std::string>& field) {
    cap(field, limit, cut);
    if (field) (*this)(*field);
  }

  // Normalized first: the cut counts characters of the text as it is stored.
  void operator()(std::string& text, std::size_t max_chars) {
    (*this)(text);
    if (truncate_text(text, max_chars)) ++shortened;
  }

  void operator()(std::optional<std::string>& field, std::size_t max_chars) {
    cap(field, limit, cut);
    if (field) (*this)(*field, max_chars);
  }
};

void normalize_people(std::vector<Author>& people, Normalizer& normalize, const ParseLimits& limits) {
  for (Author& person : people) {
    normalize(person.name, limits.max_name_chars);
    normalize(person.email, limits.max_name_chars);
    normalize(person.uri);
  }
}

void normalize_extras(ItemExtras& extras, Normalizer& normalize, const ParseLimits& limits) {
  normalize(extras.subtitle, limits.max_title_chars);
  for (auto* field : {&extras.rights, &extras.language}) normalize(*field);
  normalize_people(extras.contributors, normalize, limits);
  for (Credit& credit : extras.credits) {
    normalize(credit.name, limits.max_name_chars);
    normalize(credit.role);
    normalize(credit.scheme);
  }
  if (extras.rating) {
    normalize(extras.rating->value);
    normalize(extras.rating->scheme);
  }
  if (extras.restriction) {
    normalize(extras.restriction->relationship);
    normalize(extras.restriction->type);
    for (std::string& value : extras.restriction->values) normalize(value);
  }
  if (extras.license) {
    for (auto* field : {&extras.license->name, &extras.license->url, &extras.license->type})
      normalize(*field);
  }
  if (extras.source) {
    normalize(extras.source->title, limits.max_title_chars);
    normalize(extras.source->link);
    normalize(extras.source->id);
  }
}

void normalize_item(Item& item, Normalizer& normalize, const ParseLimits& limits) {
  for (auto* field : {&item.id, &item.link, &item.summary, &item.content, &item.thumbnail, &item.comments}) {
    normalize(*field);
  }
  normalize(item.title, limits.max_title_chars);
  normalize_people(item.authors, normalize, limits);
  for (std::string& category : item.categories) normalize(category, limits.max_name_chars);
  for (Enclosure& enclosure : item.enclosures) {
    normalize(enclosure.url);
    normalize(enclosure.type);
    normalize(enclosure.medium);
  }
  if (item.extras) normalize_extras(*item.extras, normalize, limits);
}

// A language in BCP 47's form; one written otherwise is kept, with a warning (once per
// spelling: a feed repeats its entries' language on each).
void normalize_language(std::optional<std::string>& language, std::vector<std::string>& warnings) {
  if (!language) return;
  if (std::optional<std::string> tag = detail::bcp47_language(*language)) {
    language = std::move(tag);
    return;
  }
  std::string warning = "language '" + *language + "' is not a BCP 47 tag: kept as written";
  if (std::find(warnings.begin(), warnings.end(), warning) == warnings.end())
    warnings.push_back(std::move(warning));
}

bool is_placeholder(const Item& item) {
  if (item.title && !item.title->empty()) return false;
  const auto says_nothing = [](const std::optional<std::string>& text) {
    if (!text) return false;
    std::string lower = collapse_whitespace(*text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower == "no description";
  };
  return says_nothing(item.summary) || says_nothing(item.content);
}

// Reads every date of the document; returns how the numeric ones were ordered and how
// many were not understood.
std::pair<DateOrderDecision, std::size_t> resolve_dates(Mapping& mapping) {
  const ParseContext& context = mapping.context;
  std::vector<std::string_view> samples;
  samples.reserve(mapping.dates.size());
  for (const detail::RawDate& raw : mapping.dates) samples.emplace_back(raw.text);
  const DateOrderDecision decision =
      decide_date_order(samples, context, mapping.feed.language.value_or(std::string()));
  const DateContext date_context{context.time_zone, decision.order, context.now};
  std::size_t not_understood = 0;
  std::string first_bad;
  for (const detail::RawDate& raw : mapping.dates) {
    const std::optional<ParsedDate> parsed = parse_date(raw.text, date_context);
    if (!parsed) {
      if (not_understood++ == 0) first_bad = raw.text;
      continue;
    }
    if (raw.field == DateField::feed_updated) {
      mapping.feed.updated = parsed->instant;
      continue;
    }
    if (raw.field == DateField::feed_published) {
      mapping.feed.published = parsed->instant;
      continue;
    }
    if (raw.field == DateField::feed_updated_candidate) {
      mapping.feed.updated = std::max(mapping.feed.updated.value_or(parsed->instant), parsed->instant);
      continue;
    }
    Item& item = mapping.feed.items[raw.item];
    (raw.field == DateField::item_published ? item.published : item.updated) = parsed->instant;
    item.date_approximate = item.date_approximate || parsed->approximate;
    if (context.now != Instant{} && parsed->instant > context.now + future_tolerance) {
      item.date_in_future = true;
    }
  }
  if (not_understood != 0) {
    const char* why = decision.basis == DateOrderBasis::undecided
                          ? ": nothing tells whether day or month comes first (set the source's date_order)"
                          : "";
    mapping.warnings.push_back(std::to_string(not_understood) + " date(s) not understood, e.g. '" +
                               first_bad + "'" + why);
  }
  const auto future = std::count_if(mapping.feed.items.begin(), mapping.feed.items.end(),
                                    [](const Item& item) { return item.date_in_future; });
  if (future != 0) mapping.warnings.push_back(std::to_string(future) + " item(s) dated far in the future");
  return {decision, not_understood};
}

void finish(Mapping& mapping, ParseResult& result) {
  std::tie(result.date_order, result.dates_not_understood) = resolve_dates(mapping);
  Feed& feed = mapping.feed;
  const std::size_t before = feed.items.size();
  std::erase_if(feed.items, is_placeholder);
  if (feed.items.size() != before) {
    mapping.warnings.push_back(std::to_string(before - feed.items.size()) +
                               " placeholder item(s) (no title, \"No Description\") skipped");
  }
  Normalizer normalize{mapping.limits.max_field_bytes};
  for (Item& item : feed.items) {
    if (!item.thumbnail) {
      for (const Enclosure& enclosure : item.enclosures) {
        if (detail::looks_like_image(enclosure.url, enclosure.type.value_or(""))) {
          item.thumbnail = enclosure.url;
          break;
        }
      }
    }
    if (!item.thumbnail) {
      for (const auto* html : {&item.summary, &item.content}) {
        if (!*html) continue;
        if (auto image = detail::first_image(**html)) {
          item.thumbnail =
              detail::absolute_link(*image, item.link.value_or(feed.link.value_or(mapping.context.url)));
          break;
        }
      }
    }
    normalize_item(item, normalize, mapping.limits);
  }
  // The feed's title is a source's default name, shown on the page beside every source's.
  normalize(feed.title, mapping.limits.max_title_chars);
  for (auto* field : {&feed.link, &feed.description, &feed.language, &feed.id, &feed.rights, &feed.image,
                      &feed.icon, &feed.generator}) {
    normalize(*field);
  }
  normalize_people(feed.authors, normalize, mapping.limits);
  normalize_people(feed.contributors, normalize, mapping.limits);
  for (std::string& category : feed.categories) normalize(category, mapping.limits.max_name_chars);
  normalize_language(feed.language, mapping.warnings);
  std::size_t languages_unrecorded = 0;
  for (Item& item : feed.items) {
    if (item.extras) normalize_language(item.extras->language, mapping.warnings);
    const auto& declared = item.extras && item.extras->language ? item.extras->language : feed.language;
    const std::string stripped = item.title ? std::string() : strip_html_to_text(item.summary.value_or(""));
    const std::string_view text = item.title ? std::string_view(*item.title) : std::string_view(stripped);
    // Written only where it differs from the declaration, so most items keep no extras.
    std::optional<std::string> settled = settle_language(text, declared);
    if (settled == declared) continue;
    // The extras it may allocate are the model's memory like the rest of the item.
    const std::size_t cost = (item.extras ? 0 : sizeof(ItemExtras)) + detail::heap_bytes(settled);
    if (!mapping.budget.charge(cost)) {
      ++languages_unrecorded;
      continue;
    }
    item.extras.ensure().language = std::move(settled);
  }
  if (languages_unrecorded != 0) {
    mapping.warnings.push_back("memory budget of " + detail::binary_size(mapping.budget.limit()) +
                               " reached: the language detected in " + std::to_string(languages_unrecorded) +
                               " item(s) not recorded");
  }
  if (normalize.ill_formed != 0) {
    mapping.warnings.push_back("ill-formed UTF-8 replaced with U+FFFD in " +
                               std::to_string(normalize.ill_formed) + " field(s)");
  }
  if (normalize.double_encoded != 0) {
    mapping.warnings.push_back("UTF-8 read as windows-1252 (\"Ã©\" for \"é\") repaired in " +
                               std::to_string(normalize.double_encoded) + " field(s)");
  }
  if (normalize.shortened != 0) {
    mapping.warnings.push_back(std::to_string(normalize.shortened) + " title(s) over " +
                               std::to_string(mapping.limits.max_title_chars) + " or name(s) over " +
                               std::to_string(mapping.limits.max_name_chars) + " characters cut");
  }
  if (normalize.cut) {
    mapping.warnings.push_back("fields longer than " + std::to_string(mapping.limits.max_field_bytes) +
                               " bytes were cut");
  }
  result.feed = std::move(feed);
  for (std::string& warning : mapping.warnings) result.warnings.push_back(std::move(warning));
}

// Entities may make a document ten times its size, never more (billion laughs).
xml::EntityLimits entity_limits(std::size_t input) {
  constexpr std::size_t growth = 10;
  xml::EntityLimits limits;
  limits.max_bytes = input > std::numeric_limits<std::size_t>::max() / growth ? input : input * growth;
  return limits;
}

}  // namespace

const char* error_name(ParseError error) {
  switch (error) {
    case ParseError::not_a_feed: return "not_a_feed";
    case ParseError::too_large: return "too_large";
    case ParseError::too_many_items: return "too_many_items";
    case ParseError::too_deep: return "too_deep";
    case ParseError::over_memory_budget: return "over_memory_budget";
  }
  return "unknown";
}

ParseOutcome parse_feed(std::string_view bytes, const ParseContext& context, const ParseLimits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return ParseFailure{ParseError::too_large, "document of " + std::to_string(bytes.size()) +
                                                   " bytes exceeds the limit of " +
                                                   std::to_string(limits.max_bytes)};
  }
  DecodedText decoded = decode_document(bytes, context.content_type);
  ParseResult result;
  result.warnings = std::move(decoded.warnings);
  MemoryBudget budget(detail::budget_limit(bytes.size(), limits.memory_ratio, limits.memory_floor));
  Mapping mapping{context, limits, budget, bytes.size(), {}, {}, {}, std::nullopt, {}, 0, false, 0, nullptr};
  // A transcoded copy is memory of the parse's own; UTF-8 input is read where it lies.
  const std::size_t transcoded = decoded.storage.empty() ? 0 : decoded.storage.capacity() + 1;
  if (!budget.charge(transcoded)) return mapping.over_budget();

  const std::size_t first = decoded.text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return ParseFailure{ParseError::not_a_feed, "empty document"};
  if (decoded.text[first] == '{' || decoded.text[first] == '[') {
    result.path = ParsePath::json;
    detail::map_json_feed(decoded.text, mapping);
    if (mapping.failure) return std::move(*mapping.failure);
    mapping.feed.encoding = "utf-8";
  } else {
    // The tree lives in this block only: it is freed before the model is finished.
    const PugixmlBudgetScope scope(budget);
    xml::LoadedXml loaded;
    // Transcoded text is the parse's own: the tree is built in it rather than in a copy.
    bool owned = !decoded.storage.empty();
    // The rare document whose DOCTYPE declares entities is read expanded, in a copy that
    // recovery may need again.
    if (std::optional<std::string> expanded =
            xml::expand_internal_entities(decoded.text, entity_limits(bytes.size()), result.warnings)) {
      budget.release(transcoded);
      if (!budget.charge(expanded->capacity() + 1)) return mapping.over_budget();
      decoded.storage = std::move(*expanded);
      decoded.text = decoded.storage;
      owned = false;
    }
    const pugi::xml_parse_result strict =
        owned ? xml::load_strict_in_place(decoded.storage, loaded) : xml::load_strict(decoded.text, loaded);
    if (!loaded.ok && !loaded.out_of_memory) {
      // The in-place attempt wrote into the text; malformed documents are rare enough to
      // decode again rather than keep a copy for all.
      if (owned) decoded.storage = decode_document(bytes, context.content_type).storage;
      xml::recover(owned ? decoded.storage : decoded.text, strict, loaded, limits, budget);
    }
    // A tree too large for the budget (tens of thousands of entries, or markup nested
    // thousands deep): the feed is read without its entries, then entry by entry.
    std::optional<xml::EntryStream> stream;
    std::optional<xml::LoadedXml> without_entries;
    // Recovery's own trees are not split: a malformed document needs the whole of one.
    if (loaded.out_of_memory && strict.status != pugi::status_out_of_memory) return mapping.over_budget();
    if (loaded.out_of_memory) {
      // The in-place attempt wrote into the transcoded text.
      if (owned) decoded.storage = decode_document(bytes, context.content_type).storage;
      stream.emplace(owned ? std::string_view(decoded.storage) : decoded.text, budget);
      if (!stream->split()) return mapping.over_budget();
      xml::load_strict_in_place(stream->feed_without_entries(), without_entries.emplace());
      if (!without_entries->ok) return mapping.over_budget();
      mapping.entry_stream = &*stream;
    }
    const xml::LoadedXml& tree = without_entries ? *without_entries : loaded;
    if (tree.failure) return *tree.failure;
    const pugi::xml_node root = tree.document.document_element();
    const std::optional<FeedFormat> format = tree.ok ? detect_xml_format(root) : std::nullopt;
    if (!format) {
      const std::string what = tree.ok ? "root element <" + std::string(root.name()) + ">" : "no XML element";
      return ParseFailure{ParseError::not_a_feed, "not a feed: " + what + " is not RSS, RDF or Atom"};
    }
    // A streamed document's warnings are the whole text's, not its pieces'.
    const std::vector<std::string>& tolerated = stream ? stream->warnings() : tree.warnings;
    result.path = !stream ? tree.path : tolerated.empty() ? ParsePath::strict : ParsePath::repaired;
    for (const std::string& warning : tolerated) result.warnings.push_back(warning);
    if (*format == FeedFormat::atom03 || *format == FeedFormat::atom10) {
      detail::map_atom(root, *format, mapping);
    } else {
      detail::map_rss(root, *format, mapping);
    }
    if (mapping.failure) return std::move(*mapping.failure);
    mapping.feed.encoding = decoded.encoding;
  }
  if (std::optional<std::string> warning = mapping.budget_warning())
    mapping.warnings.push_back(std::move(*warning));
  finish(mapping, result);
  result.memory_peak = budget.peak();
  return result;
}

}  // namespace tinhop
