// Items of an HTML listing page: per-item fields by selector (or found automatically),
// dates machine-first, links absolute, repeats merged.
#include "tinhop/parsers/html_listing.hpp"

#include <algorithm>
#include <array>
#include <unordered_map>

#include "html_internal.hpp"
#include "tinhop/parsers/date.hpp"
#include "tinhop/parsers/text.hpp"
#include "tinhop/parsers/url.hpp"

namespace tinhop {
namespace html_detail {
namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

// The first node a selector picks below `item`: an attribute's value or a node.
struct Picked {
  std::optional<std::string> attribute;
  pugi::xml_node node;
  explicit operator bool() const { return attribute.has_value() || node; }
};

Picked pick(const CompiledSelector& selector, pugi::xml_node item) {
  Picked picked;
  const pugi::xpath_node_set nodes = selector.query->evaluate_node_set(item);
  if (nodes.empty()) return picked;
  const pugi::xpath_node first = nodes.first();
  if (first.attribute()) {
    picked.attribute = first.attribute().value();
  } else {
    picked.node = first.node();
  }
  return picked;
}

std::string_view image_source(pugi::xml_node img) {
  // Lazy-loading themes keep the real image in data-* and a placeholder in src.
  for (const char* name : {"data-src", "data-original", "data-lazy-src", "src"}) {
    const std::string_view value = trim(img.attribute(name).value());
    if (!value.empty() && !starts_with_ci(value, "data:")) return value;
  }
  return {};
}

bool has_class_word(pugi::xml_node node, std::string_view word) {
  const std::string_view cls = node.attribute("class").value();
  return cls.find(word) != std::string_view::npos;
}

bool inside(pugi::xml_node node, pugi::xml_node ancestor) {
  for (; node; node = node.parent()) {
    if (node == ancestor) return true;
  }
  return false;
}

struct Card {
  std::string title;
  std::string href;
  std::vector<DateText> dates;  // candidates, best first
  std::string summary;
  std::string image;
};

// The card's article link: the first <a href> with text, else one with a title.
pugi::xml_node main_link(pugi::xml_node item) {
  if (std::string_view(item.name()) == "a" && is_article_href(item.attribute("href").value())) return item;
  pugi::xml_node titled;
  for (const auto& found : item.select_nodes(".//a[@href]")) {
    const pugi::xml_node a = found.node();
    if (!is_article_href(a.attribute("href").value())) continue;
    if (!node_text(a).empty()) return a;
    if (!titled && !trim(a.attribute("title").value()).empty()) titled = a;
  }
  return titled;
}

void find_dates(pugi::xml_node item, pugi::xml_node title_node, std::vector<DateText>& out) {
  for (const auto& found : item.select_nodes(".//time[@datetime] | .//*[@data-time]"))
    date_strings(found.node(), out);
  for (const auto& found : item.select_nodes(".//*[@class]")) {
    const pugi::xml_node node = found.node();
    if (node == title_node || !(has_class_word(node, "time") || has_class_word(node, "date"))) continue;
    date_strings(node, out);
  }
  // Last resort: short text nodes outside the title ("02/08/2019 | 341").
  std::size_t looked = 0;
  for (const auto& found : item.select_nodes(".//text()")) {
    if (++looked > 64) break;
    const pugi::xml_node text = found.node();
    if (title_node && inside(text, title_node)) continue;
    const std::string_view value = trim(text.value());
    if (!value.empty() && value.size() < 80) out.push_back({std::string(value), false});
  }
}

Card read_card(pugi::xml_node item, const CompiledSelectors& s) {
  Card card;
  pugi::xml_node title_node;
  if (s.title.query) {
    const Picked picked = pick(s.title, item);
    if (picked.attribute) card.title = *picked.attribute;
    if (picked.node) {
      title_node = picked.node;
      card.title = node_text(picked.node);
      if (card.title.empty()) card.title = trim(picked.node.attribute("title").value());
    }
  }
  pugi::xml_node link_node;
  if (s.link.query) {
    const Picked picked = pick(s.link, item);
    if (picked.attribute) card.href = *picked.attribute;
    if (picked.node) {
      link_node = picked.node.attribute("href") ? picked.node : main_link(picked.node);
      card.href = link_node.attribute("href").value();
    }
  } else {
    link_node = title_node && title_node.attribute("href") ? title_node : main_link(item);
    card.href = link_node.attribute("href").value();
  }
  if (!s.title.query && link_node) {
    title_node = link_node;
    card.title = node_text(link_node);
    if (card.title.empty()) card.title = trim(link_node.attribute("title").value());
  }
  if (s.date.query) {
    for (const auto& found : s.date.query->evaluate_node_set(item)) {
      if (found.attribute()) card.dates.push_back({std::string(trim(found.attribute().value())), true});
      if (found.node()) date_strings(found.node(), card.dates);
    }
  } else {
    find_dates(item, title_node, card.dates);
  }
  if (s.summary.query) {
    const Picked picked = pick(s.summary, item);
    card.summary = picked.attribute ? *picked.attribute : node_text(picked.node);
  }
  if (s.image.query) {
    const Picked picked = pick(s.image, item);
    if (picked.attribute) card.image = trim(*picked.attribute);
    if (picked.node) {
      const pugi::xml_node img = std::string_view(picked.node.name()) == "img"
                                     ? picked.node
                                     : picked.node.select_node(".//img").node();
      card.image = image_source(img);
    }
  } else if (const pugi::xml_node img = item.select_node(".//img").node()) {
    card.image = image_source(img);
  }
  return card;
}

std::string without_fragment(std::string link) {
  const std::size_t hash = link.find('#');
  if (hash != std::string::npos) link.resize(hash);
  return link;
}

// Date quality of an item: 0 none or the fetch time, 1 relative, 2 read exactly.
int date_rank(const Item& item, Instant now) {
  if (!item.published || (item.date_approximate && *item.published == now)) return 0;
  return item.date_approximate ? 1 : 2;
}

void merge_into(Item& kept, Item&& repeat, Instant now) {
  if (!kept.title) kept.title = std::move(repeat.title);
  if (!kept.summary) kept.summary = std::move(repeat.summary);
  if (!kept.thumbnail) kept.thumbnail = std::move(repeat.thumbnail);
  if (date_rank(repeat, now) > date_rank(kept, now)) {
    kept.published = repeat.published;
    kept.date_approximate = repeat.date_approximate;
    kept.date_in_future = repeat.date_in_future;
  }
}

}  // namespace

bool is_article_href(std::string_view href) {
  href = trim(href);
  return !href.empty() && href.front() != '#' && !starts_with_ci(href, "javascript:") &&
         !starts_with_ci(href, "mailto:") && !starts_with_ci(href, "tel:") && !starts_with_ci(href, "data:");
}

std::string page_base(const HtmlTree& tree, const ParseContext& context) {
  const std::string_view base =
      trim(tree.document.select_node("//base[@href]").node().attribute("href").value());
  if (!base.empty()) {
    if (auto resolved = resolve_url(context.url, iri_to_uri(base))) return *resolved;
  }
  if (!context.url.empty()) return context.url;
  // A saved page read without its address still names itself, usually.
  for (const char* query : {"//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"}) {
    const std::string_view own = trim(tree.document.select_node(query).attribute().value());
    if (is_absolute_url(iri_to_uri(own))) return iri_to_uri(own);
  }
  return {};
}

ParseResult extract(const HtmlTree& tree, const ParseContext& context, const CompiledSelectors& selectors,
                    const HtmlLimits& limits) {
  ParseResult result;
  result.path = ParsePath::html;
  result.warnings = tree.warnings;
  Feed& feed = result.feed;
  feed.format = FeedFormat::html;
  feed.encoding = tree.encoding;
  if (auto title = node_text(tree.document.select_node("//head/title").node()); !title.empty()) {
    truncate_text(title, limits.max_title_chars);
    feed.title = std::move(title);
  }
  if (!context.url.empty()) feed.link = context.url;
  if (const std::string_view lang =
          trim(tree.document.select_node("//html").node().attribute("lang").value());
      !lang.empty()) {
    feed.language = std::string(lang);
  }
  const std::string base = page_base(tree, context);

  const pugi::xpath_node_set items = selectors.item.query->evaluate_node_set(tree.document);
  if (items.empty()) {
    result.warnings.push_back("item selector \"" + selectors.item.text + "\" matched nothing: no items");
    return result;
  }
  std::vector<Card> cards;
  for (const auto& found : items) {
    if (!found.node()) continue;
    if (cards.size() == limits.max_items) {
      result.warnings.push_back("more than " + std::to_string(limits.max_items) +
                                " items on the page: the rest dropped");
      break;
    }
    cards.push_back(read_card(found.node(), selectors));
  }

  // One article page's date lives in <meta property="article:published_time">.
  const pugi::xml_node meta =
      tree.document
          .select_node("//meta[@property='article:published_time' or @name='article:published_time']")
          .node();
  if (cards.size() == 1 && meta) {
    auto& dates = cards.front().dates;
    dates.insert(dates.begin(), {std::string(trim(meta.attribute("content").value())), true});
  }

  std::vector<std::string_view> samples;
  for (const Card& card : cards) {
    for (const DateText& date : card.dates) samples.push_back(date.text);
  }
  result.date_order = decide_date_order(samples, context, feed.language.value_or(std::string()));
  DateContext dates;
  dates.time_zone = context.time_zone;
  dates.now = context.now;
  dates.order = result.date_order.order;

  std::unordered_map<std::string, std::size_t> by_link;
  std::size_t no_link = 0, no_title = 0, undated = 0;
  for (Card& card : cards) {
    if (!is_article_href(card.href)) {
      ++no_link;
      continue;
    }
    auto link = resolve_url(base, iri_to_uri(trim(card.href)));
    // Checked again once resolved: "java\tscript:" passed the check of the href as written
    // and came out of resolve_url as javascript:, which the console's preview made a link.
    if (!link || !(starts_with_ci(*link, "http://") || starts_with_ci(*link, "https://"))) {
      ++no_link;
      continue;
    }
    if (card.title.empty()) {
      ++no_title;
      continue;
    }
    Item item;
    item.link = without_fragment(*link);  // "#binh-luan" names a place in the same article
    // Attribute values (title="...") arrive as written: same normal form as element text.
    item.title = to_nfc(collapse_whitespace(card.title));
    truncate_text(*item.title, limits.max_title_chars);
    if (!card.summary.empty()) item.summary = to_nfc(collapse_whitespace(card.summary));
    if (!card.image.empty()) {
      if (auto image = resolve_url(base, iri_to_uri(card.image))) item.thumbnail = *image;
    }
    for (const DateText& text : card.dates) {
      if (const auto parsed = date_in_text(text, dates, selectors.date_format)) {
        item.published = parsed->instant;
        item.date_approximate = parsed->approximate;
        item.date_in_future = context.now != Instant{} && parsed->instant > context.now + future_tolerance;
        break;
      }
    }
    if (!item.published) {
      ++undated;
      if (context.now != Instant{}) {
        item.published = context.now;  // first seen now; the store keeps the first value
        item.date_approximate = true;
      }
    }
    const std::string key = *item.link;
    if (const auto seen = by_link.find(key); seen != by_link.end()) {
      merge_into(feed.items[seen->second], std::move(item), context.now);
      continue;
    }
    by_link.emplace(key, feed.items.size());
    feed.items.push_back(std::move(item));
  }
  if (no_link != 0)
    result.warnings.push_back(std::to_string(no_link) + " cards without a usable link skipped");
  if (no_title != 0) result.warnings.push_back(std::to_string(no_title) + " cards without a title skipped");
  if (undated != 0 && result.date_order.basis == DateOrderBasis::undecided) {
    // Their numeric dates could not be read: nothing tells whether day or month comes first.
    result.dates_not_understood = undated;
    result.warnings.push_back(std::to_string(undated) +
                              " items without a date understood: nothing tells whether day or month comes "
                              "first (set the source's date_order); fetch time used, marked approximate");
  } else if (undated != 0) {
    result.warnings.push_back(std::to_string(undated) +
                              " items without a date on the page: fetch time used, marked approximate");
  }
  if (feed.items.empty())
    result.warnings.push_back("item selector \"" + selectors.item.text + "\" yielded no items");
  return result;
}

}  // namespace html_detail

HtmlListingOutcome parse_html_listing(std::string_view bytes, const ParseContext& context,
                                      const HtmlSelectors& selectors, const HtmlLimits& limits) {
  HtmlListingOutcome outcome;
  const auto compiled = html_detail::compile_selectors(selectors, outcome.message);
  if (!compiled) {
    outcome.error = HtmlError::bad_selector;
    return outcome;
  }
  html_detail::HtmlTree tree;
  outcome.error = html_detail::build_tree(bytes, context.content_type, limits, tree, outcome.message);
  if (outcome.error != HtmlError::none) return outcome;
  outcome.result = html_detail::extract(tree, context, *compiled, limits);
  return outcome;
}

}  // namespace tinhop
