// Article pages: the body is the element holding the most paragraph text (a small cousin
// of Readability's scoring), unless the source names it.
#include <map>
#include <sstream>

#include "html_internal.hpp"
#include "tinhop/parsers/date.hpp"
#include "tinhop/parsers/html_listing.hpp"
#include "tinhop/parsers/text.hpp"

namespace tinhop {
namespace html_detail {
namespace {

// Paragraphs shorter than this are captions, bylines and buttons, not body text.
constexpr std::size_t min_paragraph_bytes = 40;

bool is_boilerplate(pugi::xml_node node) {
  for (; node; node = node.parent()) {
    const std::string_view name = node.name();
    if (name == "nav" || name == "header" || name == "footer" || name == "aside" || name == "form")
      return true;
    const std::string_view cls = node.attribute("class").value();
    if (cls.find("comment") != std::string_view::npos || cls.find("related") != std::string_view::npos ||
        cls.find("other") != std::string_view::npos || cls.find("sidebar") != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

pugi::xml_node densest_block(const pugi::xml_document& document) {
  std::map<pugi::xml_node, std::size_t> score;
  for (const auto& found : document.select_nodes("//p")) {
    const pugi::xml_node p = found.node();
    const std::size_t length = node_text(p).size();
    if (length < min_paragraph_bytes || is_boilerplate(p)) continue;
    if (const pugi::xml_node parent = p.parent()) {
      score[parent] += length;
      if (const pugi::xml_node grandparent = parent.parent()) score[grandparent] += length / 2;
    }
  }
  pugi::xml_node best;
  std::size_t best_score = 0;
  for (const auto& [node, value] : score) {
    if (value > best_score) best = node, best_score = value;
  }
  return best;
}

// The node's children as markup, stopping before the child that would pass `limit`.
std::string inner_html(pugi::xml_node node, std::size_t limit, bool& cut) {
  std::string html;
  for (pugi::xml_node child : node.children()) {
    std::ostringstream out;
    child.print(out, "", pugi::format_raw | pugi::format_no_declaration);
    const std::string piece = out.str();
    if (html.size() + piece.size() > limit) {
      cut = true;
      break;
    }
    html += piece;
  }
  return html;
}

// Only the ends: inner white space may be inside <pre>.
std::string trimmed(std::string text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::optional<std::string> non_empty(std::string text) {
  if (text.empty()) return std::nullopt;
  return text;
}

}  // namespace
}  // namespace html_detail

ArticleOutcome extract_article(std::string_view bytes, const ParseContext& context,
                               const ArticleOptions& options, const HtmlLimits& limits) {
  using namespace html_detail;
  ArticleOutcome outcome;
  std::optional<CompiledSelector> content;
  if (!options.content.empty()) {
    content = compile_selector(options.content, false, outcome.message);
    if (!content) {
      outcome.error = HtmlError::bad_selector;
      return outcome;
    }
  }
  HtmlTree tree;
  outcome.error = build_tree(bytes, context.content_type, limits, tree, outcome.message);
  if (outcome.error != HtmlError::none) return outcome;
  Article& article = outcome.article;
  article.warnings = tree.warnings;
  const pugi::xml_document& doc = tree.document;

  if (const auto og = doc.select_node("//meta[@property='og:title']").node()) {
    article.title = non_empty(to_nfc(collapse_whitespace(og.attribute("content").value())));
  }
  if (!article.title) article.title = non_empty(node_text(doc.select_node("//h1").node()));
  if (!article.title) article.title = non_empty(node_text(doc.select_node("//head/title").node()));

  const pugi::xml_node body =
      content ? content->query->evaluate_node_set(doc).first().node() : densest_block(doc);
  if (body) {
    bool cut = false;
    article.content = non_empty(trimmed(inner_html(body, options.max_content_bytes, cut)));
    if (cut)
      article.warnings.push_back("article body cut at " + std::to_string(options.max_content_bytes) +
                                 " bytes");
  }
  if (!article.content) article.warnings.push_back("no article body found");

  std::vector<DateText> dates;
  if (const auto meta = doc.select_node("//meta[@property='article:published_time' or "
                                        "@name='article:published_time' or @itemprop='datePublished']")
                            .node()) {
    dates.push_back({meta.attribute("content").value(), true});
  }
  // The article's own date line, not the dates of the "other articles" list beside it.
  for (const auto& found : doc.select_nodes("//time[@datetime] | //*[@data-time]")) {
    if (!is_boilerplate(found.node())) date_strings(found.node(), dates);
  }
  for (const auto& found : doc.select_nodes("//*[@class]")) {
    const std::string_view cls = found.node().attribute("class").value();
    const bool dated = cls.find("time") != std::string_view::npos ||
                       cls.find("date") != std::string_view::npos ||
                       cls.find("meta") != std::string_view::npos;
    if (dated && !is_boilerplate(found.node())) date_strings(found.node(), dates);
    if (dates.size() > 32) break;
  }
  std::vector<std::string_view> samples;
  for (const DateText& date : dates) samples.push_back(date.text);
  const std::string_view language = doc.select_node("//html").node().attribute("lang").value();
  const DateContext date_context{context.time_zone, decide_date_order(samples, context, language).order,
                                 context.now};
  for (const DateText& date : dates) {
    if (const auto parsed = date_in_text(date, date_context, {})) {
      article.published = parsed->instant;
      article.published_approximate = parsed->approximate;
      break;
    }
  }
  return outcome;
}

}  // namespace tinhop
