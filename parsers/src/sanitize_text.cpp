// Parsing, escaping, URL checks and excerpts for the sanitizer.
#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <vector>

#include "sanitize_internal.hpp"
#include "tinhop/parsers/sanitize.hpp"

namespace tinhop {
namespace detail {

ParsedBody parse_body(std::string_view html) {
  ParsedBody parsed;
  parsed.output.reset(gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size()));
  if (!parsed.output) return parsed;
  const GumboNode* root = parsed.output->root;
  const GumboVector& children = root->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(children.data[i]);
    if (child->type == GUMBO_NODE_ELEMENT && child->v.element.tag == GUMBO_TAG_BODY) parsed.body = child;
  }
  return parsed;
}

namespace {

bool is_dropped_control(unsigned char c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
}

void append_escaped(std::string& out, std::string_view text, bool attribute) {
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"':
        if (attribute) {
          out += "&quot;";
        } else {
          out += ch;
        }
        break;
      default:
        if (!is_dropped_control(static_cast<unsigned char>(ch))) out += ch;
    }
  }
}

}  // namespace

void append_escaped_text(std::string& out, std::string_view text) {
  append_escaped(out, text, false);
}

void append_escaped_attribute(std::string& out, std::string_view text) {
  append_escaped(out, text, true);
}

namespace {

bool is_void_name(std::string_view name) {
  for (std::string_view v : {"br", "img", "hr", "wbr", "input", "meta", "link", "source", "area", "col",
                             "embed", "param", "track", "base", "keygen"}) {
    if (name.size() == v.size() && std::equal(name.begin(), name.end(), v.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::size_t estimated_depth(std::string_view html) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  for (std::size_t i = html.find('<'); i != std::string_view::npos && i + 1 < html.size();
       i = html.find('<', i + 1)) {
    const bool closing = html[i + 1] == '/';
    const std::size_t start = i + (closing ? 2 : 1);
    std::size_t end = start;
    while (end < html.size() && std::isalnum(static_cast<unsigned char>(html[end])) != 0) ++end;
    if (end == start) continue;
    if (closing) {
      if (depth > 0) --depth;
    } else if (!is_void_name(html.substr(start, end - start))) {
      deepest = std::max(deepest, ++depth);
    }
  }
  return deepest;
}

std::string without_tags(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  for (std::size_t i = 0; i < html.size(); ++i) {
    const bool tag = html[i] == '<' && i + 1 < html.size() &&
                     (std::isalpha(static_cast<unsigned char>(html[i + 1])) != 0 || html[i + 1] == '/' ||
                      html[i + 1] == '!' || html[i + 1] == '?');
    if (!tag) {
      out += html[i];
      continue;
    }
    std::size_t close = html.find('>', i);
    if (close == std::string_view::npos) break;
    if (!out.empty() && out.back() != ' ') out += ' ';  // words on both sides stay apart
    i = close;
  }
  return out;
}

}  // namespace detail

namespace {

bool is_c0_or_space(char c) {
  return static_cast<unsigned char>(c) <= 0x20;
}

// What a browser's URL parser does before parsing (strip leading/trailing C0 controls and
// spaces, remove every tab and newline), so `java\tscript:` is judged as the browser would
// see it; then percent-encode what RFC 3986 forbids but real feeds contain (spaces,
// non-ASCII path bytes). Other control characters make the URL unusable.
bool prepare_url(std::string_view raw, std::string& out) {
  while (!raw.empty() && is_c0_or_space(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && is_c0_or_space(raw.back())) raw.remove_suffix(1);
  static constexpr char hex[] = "0123456789ABCDEF";
  out.clear();
  for (char ch : raw) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\t' || c == '\n' || c == '\r') continue;
    if (c < 0x20 || c == 0x7f) return false;
    if (c >= 0x80 || c == ' ' || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' ||
        c == '{' || c == '|' || c == '}') {
      out += '%';
      out += hex[c >> 4U];
      out += hex[c & 0xFU];
    } else {
      out += ch;
    }
  }
  return !out.empty();
}

}  // namespace

bool resolve_safe_url(std::string_view url, std::string_view base_url, bool allow_mailto, std::string& out) {
  std::string prepared;
  if (!prepare_url(url, prepared)) return false;
  auto ref = boost::urls::parse_uri_reference(prepared);
  if (!ref) return false;
  boost::urls::url resolved;
  if (ref->has_scheme()) {
    resolved = *ref;
  } else {
    auto base = boost::urls::parse_uri(base_url);
    if (!base) return false;
    if (base->scheme_id() != boost::urls::scheme::http && base->scheme_id() != boost::urls::scheme::https) {
      return false;
    }
    if (!boost::urls::resolve(*base, *ref, resolved)) return false;
  }
  const auto scheme = resolved.scheme_id();
  if (scheme == boost::urls::scheme::http || scheme == boost::urls::scheme::https) {
    if (!resolved.has_authority() || resolved.encoded_host().empty()) return false;
  } else {
    std::string name = resolved.scheme();
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!(allow_mailto && name == "mailto")) return false;
    resolved.set_scheme("mailto");
  }
  out = resolved.buffer();
  return true;
}

namespace {

bool is_block(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_IMG: return true;
    default: return false;
  }
}

bool is_hidden_text(GumboTag tag) {
  return tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE || tag == GUMBO_TAG_TEMPLATE ||
         tag == GUMBO_TAG_NOSCRIPT || tag == GUMBO_TAG_TEXTAREA || tag == GUMBO_TAG_TITLE ||
         tag == GUMBO_TAG_IFRAME || tag == GUMBO_TAG_OBJECT;
}

// Length of a white-space character at `s[i]` (ASCII, U+00A0, U+202F, U+3000), or 0.
std::size_t space_length(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') return 1;
  if (s.compare(i, 2, "\xC2\xA0") == 0) return 2;
  if (s.compare(i, 3, "\xE2\x80\xAF") == 0 || s.compare(i, 3, "\xE3\x80\x80") == 0) return 3;
  return 0;
}

std::string collapse(std::string_view text) {
  std::string out;
  bool pending_space = false;
  for (std::size_t i = 0; i < text.size();) {
    if (std::size_t n = space_length(text, i); n != 0) {
      pending_space = !out.empty();
      i += n;
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != 0x7f) out += text[i];
    ++i;
  }
  return out;
}

}  // namespace

std::string html_excerpt(std::string_view html, std::size_t max_chars) {
  html = html.substr(0, std::min<std::size_t>(html.size(), 2U << 20U));
  std::string flattened;
  if (detail::estimated_depth(html) > SanitizeOptions{}.max_parse_depth) {
    flattened = detail::without_tags(html);
    html = flattened;
  }
  auto parsed = detail::parse_body(html);
  if (!parsed.body) return {};
  std::string text;
  std::vector<std::pair<const GumboNode*, std::size_t>> stack{{parsed.body, 0}};
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    const GumboVector& children = node->v.element.children;
    if (next == children.length) {
      if (is_block(node->v.element.tag)) text += ' ';
      stack.pop_back();
      continue;
    }
    const auto* child = static_cast<const GumboNode*>(children.data[next++]);
    if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_WHITESPACE ||
        child->type == GUMBO_NODE_CDATA) {
      text += child->v.text.text;
    } else if (child->type == GUMBO_NODE_ELEMENT && !is_hidden_text(child->v.element.tag)) {
      if (is_block(child->v.element.tag)) text += ' ';
      stack.emplace_back(child, 0);
    }
  }
  std::string collapsed = collapse(text);
  // Walk code points; remember where the last space before the limit is.
  std::size_t chars = 0;
  std::size_t last_space = std::string::npos;
  for (std::size_t i = 0; i < collapsed.size(); ++chars) {
    if (chars == max_chars) {
      std::size_t cut = last_space != std::string::npos ? last_space : i;
      collapsed.resize(cut);
      while (!collapsed.empty() &&
             (collapsed.back() == ' ' || collapsed.back() == ',' || collapsed.back() == ';' ||
              collapsed.back() == ':' || collapsed.back() == '-')) {
        collapsed.pop_back();
      }
      collapsed += "\xE2\x80\xA6";
      return collapsed;
    }
    if (collapsed[i] == ' ') last_space = i;
    auto c = static_cast<unsigned char>(collapsed[i]);
    i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  }
  return collapsed;
}

}  // namespace tinhop
