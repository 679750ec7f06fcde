// Allow-list sanitizer over gumbo's HTML5 tree. The tree, not the text, is checked, and we
// serialize it ourselves with full escaping: what a browser parses back is what we checked,
// which is what closes the mutation-XSS family (parser differentials between filter and
// browser).
#include "tinhop/parsers/sanitize.hpp"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cstring>
#include <memory>
#include <vector>

#include "sanitize_internal.hpp"

namespace tinhop {
namespace {

enum class UrlKind { none, link, image };

struct AttributeRule {
  const char* name;
  UrlKind url;
  bool digits_only;
};

struct ElementRule {
  GumboTag tag;
  std::vector<AttributeRule> attributes;
};

const std::vector<ElementRule>& element_rules() {
  static const std::vector<ElementRule> rules = [] {
    std::vector<ElementRule> r;
    for (GumboTag tag :
         {GUMBO_TAG_P,       GUMBO_TAG_BR,    GUMBO_TAG_HR,    GUMBO_TAG_B,      GUMBO_TAG_STRONG,
          GUMBO_TAG_I,       GUMBO_TAG_EM,    GUMBO_TAG_U,     GUMBO_TAG_S,      GUMBO_TAG_SMALL,
          GUMBO_TAG_SUB,     GUMBO_TAG_SUP,   GUMBO_TAG_MARK,  GUMBO_TAG_CODE,   GUMBO_TAG_KBD,
          GUMBO_TAG_PRE,     GUMBO_TAG_CITE,  GUMBO_TAG_UL,    GUMBO_TAG_LI,     GUMBO_TAG_DL,
          GUMBO_TAG_DT,      GUMBO_TAG_DD,    GUMBO_TAG_H1,    GUMBO_TAG_H2,     GUMBO_TAG_H3,
          GUMBO_TAG_H4,      GUMBO_TAG_H5,    GUMBO_TAG_H6,    GUMBO_TAG_FIGURE, GUMBO_TAG_FIGCAPTION,
          GUMBO_TAG_TABLE,   GUMBO_TAG_THEAD, GUMBO_TAG_TBODY, GUMBO_TAG_TFOOT,  GUMBO_TAG_TR,
          GUMBO_TAG_CAPTION, GUMBO_TAG_DIV,   GUMBO_TAG_SPAN,  GUMBO_TAG_WBR}) {
      r.push_back({tag, {}});
    }
    r.push_back({GUMBO_TAG_A, {{"href", UrlKind::link, false}, {"title", UrlKind::none, false}}});
    r.push_back({GUMBO_TAG_IMG,
                 {{"src", UrlKind::image, false},
                  {"alt", UrlKind::none, false},
                  {"title", UrlKind::none, false},
                  {"width", UrlKind::none, true},
                  {"height", UrlKind::none, true}}});
    r.push_back({GUMBO_TAG_ABBR, {{"title", UrlKind::none, false}}});
    r.push_back({GUMBO_TAG_BLOCKQUOTE, {{"cite", UrlKind::image, false}}});
    r.push_back({GUMBO_TAG_Q, {{"cite", UrlKind::image, false}}});
    r.push_back({GUMBO_TAG_DEL, {{"cite", UrlKind::image, false}}});
    r.push_back({GUMBO_TAG_INS, {{"cite", UrlKind::image, false}}});
    r.push_back({GUMBO_TAG_OL, {{"start", UrlKind::none, true}}});
    r.push_back({GUMBO_TAG_TD, {{"colspan", UrlKind::none, true}, {"rowspan", UrlKind::none, true}}});
    r.push_back({GUMBO_TAG_TH, {{"colspan", UrlKind::none, true}, {"rowspan", UrlKind::none, true}}});
    r.push_back({GUMBO_TAG_TIME, {{"datetime", UrlKind::none, false}}});
    return r;
  }();
  return rules;
}

const ElementRule* find_rule(GumboTag tag) {
  const auto& rules = element_rules();
  auto it = std::find_if(rules.begin(), rules.end(), [tag](const ElementRule& r) { return r.tag == tag; });
  return it == rules.end() ? nullptr : &*it;
}

// Elements whose whole subtree goes: active content, document metadata, form controls and
// raw-text containers whose "text" is markup to some other parser.
bool dropped_with_content(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_APPLET:
    case GUMBO_TAG_PARAM:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_OPTGROUP:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_KEYGEN:
    case GUMBO_TAG_ISINDEX:
    case GUMBO_TAG_META:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_NOEMBED:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_FRAME:
    case GUMBO_TAG_FRAMESET:
    case GUMBO_TAG_XMP:
    case GUMBO_TAG_PLAINTEXT:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
    case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_SOURCE:
    case GUMBO_TAG_TRACK:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_MAP:
    case GUMBO_TAG_AREA:
    case GUMBO_TAG_BGSOUND:
    case GUMBO_TAG_MARQUEE:
    case GUMBO_TAG_MENUITEM:

    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_SUMMARY: return true;
    default: return false;
  }
}

struct Frame {
  const GumboNode* node;
  std::size_t next_child;
  const char* closing;  // tag to close after the children, or nullptr when unwrapped
};

bool is_heading(GumboTag tag) {
  return tag >= GUMBO_TAG_H1 && tag <= GUMBO_TAG_H6;
}

// Nestings an HTML parser never builds from markup: a heading start tag closes an open
// heading, an <a> start tag closes an open <a>. A malformed page can still get them into
// the tree (a heading inside a list inside a heading), but written out and parsed again
// they would come back as siblings: the inner element is unwrapped instead, so the output
// parses to the tree that was checked.
bool reparses_differently(GumboTag tag, const std::vector<Frame>& open) {
  if (!is_heading(tag) && tag != GUMBO_TAG_A) return false;
  return std::any_of(open.begin(), open.end(), [tag](const Frame& frame) {
    if (frame.closing == nullptr) return false;
    const GumboTag open_tag = frame.node->v.element.tag;
    return is_heading(tag) ? is_heading(open_tag) : open_tag == GUMBO_TAG_A;
  });
}

bool is_void(GumboTag tag) {
  return tag == GUMBO_TAG_BR || tag == GUMBO_TAG_HR || tag == GUMBO_TAG_IMG || tag == GUMBO_TAG_WBR;
}

bool all_digits(std::string_view v) {
  return !v.empty() && v.size() <= 5 &&
         std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class Serializer {
 public:
  explicit Serializer(const SanitizeOptions& options) : options_(options) {}

  std::string run(const GumboNode* body) {
    std::vector<Frame> stack;
    stack.push_back({body, 0, nullptr});
    while (!stack.empty()) {
      Frame& top = stack.back();
      const GumboVector& children = top.node->v.element.children;
      if (top.next_child == children.length || full_) {
        if (top.closing != nullptr) {
          out_ += "</";
          out_ += top.closing;
          out_ += '>';
          closing_bytes_ -= end_tag_bytes(top.closing);
        }
        stack.pop_back();
        continue;
      }
      const auto* child = static_cast<const GumboNode*>(children.data[top.next_child++]);
      if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_WHITESPACE) {
        append_text(child->v.text.text);
        continue;
      }
      if (child->type != GUMBO_NODE_ELEMENT) continue;  // comments, CDATA, documents
      const GumboElement& el = child->v.element;
      if (el.tag_namespace != GUMBO_NAMESPACE_HTML || dropped_with_content(el.tag)) continue;
      const ElementRule* rule = stack.size() > options_.max_depth || reparses_differently(el.tag, stack)
                                    ? nullptr
                                    : find_rule(el.tag);
      const char* closing = rule != nullptr ? open_tag(*rule, el) : nullptr;
      if (rule != nullptr && is_void(el.tag)) continue;  // emitted, or an <img> dropped
      if (closing != nullptr) closing_bytes_ += end_tag_bytes(closing);
      if (closing != nullptr && el.tag == GUMBO_TAG_PRE) preserve_leading_newline(el);
      stack.push_back({child, 0, closing});
    }
    return std::move(out_);
  }

 private:
  static std::size_t end_tag_bytes(const char* name) { return std::strlen(name) + 3; }  // </name>

  // Bytes the output may still grow by, with room kept for the end tags of open elements.
  std::size_t room() const { return options_.max_output_bytes - out_.size() - closing_bytes_; }

  // Appends escaped text; when it does not fit, the part that does (never half a UTF-8
  // sequence or half a character reference), and the output is full.
  void append_text(std::string_view text) {
    const std::size_t start = out_.size();
    const std::size_t limit = start + room();
    detail::append_escaped_text(out_, text);
    if (out_.size() <= limit) return;
    std::size_t end = limit;
    while (end > start && (static_cast<unsigned char>(out_[end]) & 0xC0U) == 0x80U) --end;
    const std::size_t amp = out_.rfind('&', end);
    if (amp != std::string::npos && amp >= start && out_.find(';', amp) >= end) end = amp;
    out_.resize(end);
    full_ = true;
  }

  // Emits the start tag with its allowed attributes; returns the name to close with, or
  // nullptr when the element is unwrapped instead (<a> without a usable href, <img>
  // without a usable src).
  const char* open_tag(const ElementRule& rule, const GumboElement& el) {
    std::string attrs;
    bool has_url = false;
    for (unsigned i = 0; i < el.attributes.length; ++i) {
      const auto* attr = static_cast<const GumboAttribute*>(el.attributes.data[i]);
      if (attr->attr_namespace != GUMBO_ATTR_NAMESPACE_NONE) continue;
      std::string_view name = attr->name;
      auto it = std::find_if(rule.attributes.begin(), rule.attributes.end(),
                             [name](const AttributeRule& a) { return name == a.name; });
      if (it == rule.attributes.end()) continue;
      std::string value = attr->value;
      if (it->digits_only && !all_digits(value)) continue;
      if (it->url != UrlKind::none) {
        std::string resolved;
        if (!resolve_safe_url(value, options_.base_url, it->url == UrlKind::link, resolved)) continue;
        value = std::move(resolved);
        if (name == "href" || name == "src") has_url = true;
      }
      attrs += ' ';
      attrs += name;
      attrs += "=\"";
      detail::append_escaped_attribute(attrs, value);
      attrs += '"';
    }
    if ((el.tag == GUMBO_TAG_A || el.tag == GUMBO_TAG_IMG) && !has_url) return nullptr;
    const char* tag_name = gumbo_normalized_tagname(el.tag);
    std::string_view rel = el.tag == GUMBO_TAG_A ? " rel=\"nofollow noopener noreferrer\"" : "";
    const std::size_t bytes = std::strlen(tag_name) + attrs.size() + rel.size() + 2 +
                              (is_void(el.tag) ? 0 : end_tag_bytes(tag_name));
    if (bytes > room()) {
      full_ = true;  // the element and everything after it are left out
      return nullptr;
    }
    out_ += '<';
    out_ += tag_name;
    out_ += attrs;
    out_ += rel;
    out_ += '>';
    return tag_name;
  }

  // The HTML5 parser eats one newline right after <pre>; emit one back so a text that
  // really starts with a newline survives a re-parse.
  void preserve_leading_newline(const GumboElement& el) {
    if (el.children.length == 0) return;
    const auto* first = static_cast<const GumboNode*>(el.children.data[0]);
    if ((first->type == GUMBO_NODE_TEXT || first->type == GUMBO_NODE_WHITESPACE) &&
        first->v.text.text[0] == '\n' && room() > 0) {
      out_ += '\n';
    }
  }

  const SanitizeOptions& options_;
  std::string out_;
  std::size_t closing_bytes_ = 0;  // end tags of the open elements, still to be written
  bool full_ = false;              // max_output_bytes reached: only end tags are written
};

}  // namespace

namespace {

std::string sanitize_once(std::string_view html, const SanitizeOptions& options) {
  auto output = detail::parse_body(html);
  if (!output.body) return {};
  Serializer serializer(options);
  std::string sanitized = serializer.run(output.body);
  // An HTML parser drops white space before the first content (it belongs to no element),
  // so it goes here too.
  sanitized.erase(0, sanitized.find_first_not_of(" \t\n\f\r"));
  return sanitized;
}

}  // namespace

std::string sanitize_html(std::string_view html, const SanitizeOptions& options) {
  html = html.substr(0, std::min(html.size(), options.max_input_bytes));
  std::string flattened;
  if (detail::estimated_depth(html) > options.max_parse_depth) {
    flattened = detail::without_tags(html);
    html = flattened;
  }
  std::string sanitized = sanitize_once(html, options);
  // What a browser renders is the tree it parses from the output, so the output must parse
  // to the tree that was checked. Unwrapping can leave nestings a parser never builds from
  // markup (<li> in <li> once the <h3> between them is gone; the parser would close the
  // first): parse and write again until nothing changes, which one more pass almost always
  // confirms.
  for (int pass = 0; pass < 3; ++pass) {
    std::string again = sanitize_once(sanitized, options);
    if (again == sanitized) break;
    sanitized = std::move(again);
  }
  return sanitized;
}

}  // namespace tinhop
