// Selector suggestions from a page's repeated link structure: article links (links with
// a few words of text) are grouped by the tag and classes of their ancestors; a group
// whose elements each hold one article link is a list of cards. Every proposal is tried
// by extraction and ranked by the items and dates it yields.
#include <algorithm>
#include <map>
#include <set>

#include "html_internal.hpp"

namespace tinhop {
namespace html_detail {
namespace {

// Links examined and groups tried stay bounded on pages with thousands of links.
constexpr std::size_t max_links = 5000;
constexpr std::size_t max_groups_tried = 12;
constexpr std::size_t max_levels = 5;

bool is_class_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// "article.story" for <article class="story">; only class names CSS can spell plainly.
std::string signature(pugi::xml_node node, bool with_classes) {
  std::string css = node.name();
  if (!with_classes) return css;
  std::string_view classes = node.attribute("class").value();
  while (!classes.empty()) {
    const std::size_t space = classes.find_first_of(" \t\n");
    const std::string_view cls = classes.substr(0, space);
    if (is_class_name(cls)) css += "." + std::string(cls);
    if (space == std::string_view::npos) break;
    classes.remove_prefix(space + 1);
  }
  return css;
}

bool is_article_link(pugi::xml_node a) {
  if (!is_article_href(a.attribute("href").value())) return false;
  std::string text = node_text(a);
  if (text.empty()) text = a.attribute("title").value();
  return std::count(text.begin(), text.end(), ' ') >= 2 && text.size() >= 15;
}

struct Group {
  std::set<pugi::xml_node> nodes;
  std::size_t level = 0;
  bool classed = false;
};

// Share of the selector's elements that hold exactly one distinct article link.
double card_share(const pugi::xpath_node_set& nodes) {
  std::size_t cards = 0;
  for (const auto& found : nodes) {
    std::set<std::string> hrefs;
    const pugi::xml_node node = found.node();
    if (std::string_view(node.name()) == "a" && is_article_link(node))
      hrefs.insert(node.attribute("href").value());
    for (const auto& a : node.select_nodes(".//a[@href]")) {
      if (is_article_link(a.node())) hrefs.insert(a.node().attribute("href").value());
    }
    if (hrefs.size() == 1) ++cards;
  }
  return nodes.empty() ? 0.0 : static_cast<double>(cards) / static_cast<double>(nodes.size());
}

// Items whose title reads like a headline (four words or more), not a menu entry.
std::size_t headlines(const ParseResult& result) {
  return static_cast<std::size_t>(std::count_if(
      result.feed.items.begin(), result.feed.items.end(),
      [](const Item& i) { return i.title && std::count(i.title->begin(), i.title->end(), ' ') >= 3; }));
}

std::size_t dated(const ParseResult& result, const ParseContext& context) {
  return static_cast<std::size_t>(std::count_if(
      result.feed.items.begin(), result.feed.items.end(),
      [&](const Item& i) { return i.published && !(i.date_approximate && i.published == context.now); }));
}

// Explicit field selectors for a card, read from its first instance.
HtmlSelectors explicit_fields(const pugi::xpath_node_set& cards, std::string item_css) {
  const pugi::xml_node card = cards.first().node();
  HtmlSelectors s;
  s.item = std::move(item_css);
  for (const auto& found : card.select_nodes("descendant-or-self::a[@href]")) {
    const pugi::xml_node a = found.node();
    if (!is_article_link(a) || node_text(a).empty()) continue;
    std::string path = signature(a, true);
    if (a.parent() && a.parent() != card) path = signature(a.parent(), true) + " " + path;
    if (a != card) s.title = s.link = path;
    break;
  }
  // Dates and images may be on some cards only: the first card that has one decides.
  for (const auto& found : cards) {
    const pugi::xml_node node = found.node();
    if (node.select_node(".//time[@datetime]")) {
      s.date = "time";
    } else if (node.select_node(".//*[@data-time]")) {
      s.date = "[data-time]";
    } else {
      for (const auto& dated : node.select_nodes(".//*[@class]")) {
        const std::string_view cls = dated.node().attribute("class").value();
        if (cls.find("time") != std::string_view::npos || cls.find("date") != std::string_view::npos) {
          s.date = signature(dated.node(), true);
          break;
        }
      }
    }
    if (!s.date.empty()) break;
  }
  for (const auto& found : cards) {
    if (found.node().select_node(".//img")) s.image = "img";
  }
  return s;
}

}  // namespace
}  // namespace html_detail

std::vector<SelectorSuggestion> suggest_selectors(std::string_view bytes, const ParseContext& context,
                                                  const HtmlLimits& limits) {
  using namespace html_detail;
  HtmlTree tree;
  std::string message;
  if (build_tree(bytes, context.content_type, limits, tree, message) != HtmlError::none) return {};

  std::map<std::string, Group> groups;
  std::size_t examined = 0;
  for (const auto& found : tree.document.select_nodes("//a[@href]")) {
    if (++examined > max_links) break;
    pugi::xml_node node = found.node();
    if (!is_article_link(node)) continue;
    for (std::size_t level = 0; level < max_levels && node; ++level, node = node.parent()) {
      const std::string_view tag = node.name();
      if (tag == "body" || tag == "html" || tag.empty()) break;
      for (const bool classed : {true, false}) {
        Group& group = groups[signature(node, classed)];
        group.nodes.insert(node);
        group.level = std::max(group.level, level);
        group.classed = classed && node.attribute("class");
      }
    }
  }

  std::vector<std::pair<std::string, const Group*>> ranked;
  for (const auto& [css, group] : groups) {
    // Bare "a" is every link on the page, navigation included: never a card structure.
    if (group.nodes.size() >= 2 && css != "a") ranked.emplace_back(css, &group);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second->nodes.size() > b.second->nodes.size();
  });
  if (ranked.size() > max_groups_tried) ranked.resize(max_groups_tried);

  struct Scored {
    SelectorSuggestion suggestion;
    std::size_t headlines;
    std::size_t level;
    bool classed;
  };
  std::vector<Scored> scored;
  for (const auto& [css, group] : ranked) {
    std::string ignored;
    auto item = compile_selector(css, false, ignored);
    if (!item) continue;
    const pugi::xpath_node_set nodes = item->query->evaluate_node_set(tree.document);
    if (nodes.size() < 2 || card_share(nodes) < 0.7) continue;
    HtmlSelectors selectors = explicit_fields(nodes, css);
    for (const bool explicit_selectors : {true, false}) {
      if (!explicit_selectors) selectors = HtmlSelectors{css, {}, {}, {}, {}, {}, {}};
      const auto compiled = compile_selectors(selectors, ignored);
      if (!compiled) continue;
      const ParseResult result = extract(tree, context, *compiled, limits);
      if (result.feed.items.size() < 2) continue;
      SelectorSuggestion suggestion{
          selectors, result.feed.items.size(), dated(result, context),
          std::to_string(group->nodes.size()) + " elements \"" + css + "\" each hold one article link"};
      scored.push_back({std::move(suggestion), headlines(result), group->level, group->classed});
      break;
    }
  }
  std::stable_sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
    const std::size_t score_a = a.headlines + a.suggestion.dated_items;
    const std::size_t score_b = b.headlines + b.suggestion.dated_items;
    if (score_a != score_b) return score_a > score_b;
    if (a.level != b.level) return a.level > b.level;
    return a.classed && !b.classed;
  });
  std::vector<SelectorSuggestion> out;
  for (auto& s : scored) {
    if (out.size() == 3) break;
    out.push_back(std::move(s.suggestion));
  }
  return out;
}

}  // namespace tinhop
