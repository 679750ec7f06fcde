// Untrusted HTML from sources made safe to render anywhere: an allow-list applied to the
// HTML5 parse tree (gumbo), then serialized by us, so what a browser re-parses is exactly
// the tree we checked. Pure: no I/O, no clock, no globals.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tinhop {

struct SanitizeOptions {
  // Absolute http(s) URL that relative href/src values resolve against. Empty or invalid:
  // relative URLs are dropped, since they cannot be made absolute.
  std::string base_url;
  // Inputs longer than this are cut before parsing (the HTML5 parser closes what was open).
  std::size_t max_input_bytes = 2U << 20U;
  // Elements nested deeper than this are unwrapped: their text stays, their tags go.
  std::size_t max_depth = 128;
  // Input whose tags would nest deeper than this (HTML5 parsing cost grows with the square
  // of the depth) is reduced to its text before parsing.
  std::size_t max_parse_depth = 4096;
  // The output stops growing here: what follows is left out and the elements still open
  // are closed, their end tags counted in, so the result is well-formed and never longer.
  // A summary or a body of real news is far smaller; a hostile one would be published
  // whole in every feed that shows it.
  std::size_t max_output_bytes = 256U << 10U;
};

// The fragment with only allow-listed elements and attributes:
// - kept: text structure (p, br, lists, headings, blockquote, pre, code, tables, figure,
//   inline emphasis), links (a href), images (img src/alt/width/height);
// - dropped with their content: script, style, iframe, object, embed, form and its
//   controls, meta, link, base, template, noscript, svg, math and every other non-HTML
//   element; comments and doctypes;
// - unwrapped (children kept, tag dropped): any other element (font, center, section ...);
// - attributes: a fixed list per element; no event handlers, no style, no class or id;
// - URLs: resolved against options.base_url and kept only when the result is an absolute
//   http, https or (href only) mailto URL; an <img> without a usable src is dropped;
// - links get rel="nofollow noopener noreferrer".
// Text and attribute values are re-escaped, so the output holds no raw `<` in text and
// no unquoted attribute values.
std::string sanitize_html(std::string_view html, const SanitizeOptions& options);

// Plain-text excerpt of an HTML fragment for the `summary` republication policy: the text
// (script/style bodies and tags dropped, block boundaries become spaces, white space
// collapsed), cut to at most `max_chars` code points at the last word boundary, with "…"
// appended when anything was cut. Never splits a UTF-8 sequence.
std::string html_excerpt(std::string_view html, std::size_t max_chars);

// True when `url`, resolved against `base_url`, is an absolute http/https URL (mailto too
// when `allow_mailto`); the resolved URL is stored in `out`.
bool resolve_safe_url(std::string_view url, std::string_view base_url, bool allow_mailto, std::string& out);

}  // namespace tinhop
