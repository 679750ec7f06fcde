#include "xml_repair.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tinhop::xml {
namespace {

bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' || c == ':' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool is_name_char(char c) {
  return is_name_start(c) || std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Length of a special section (<!-- -->, <![CDATA[ ]]>, <!DOCTYPE [..]>, <? ?>) at text[i],
// or 0. Unterminated sections run to the end.
std::size_t special_section(std::string_view text, std::size_t i) {
  if (i + 1 >= text.size() || (text[i + 1] != '!' && text[i + 1] != '?')) return 0;  // a tag
  const std::string_view rest = text.substr(i);
  const auto until = [&](std::string_view close) {
    const std::size_t end = rest.find(close, 1);
    return end == std::string_view::npos ? rest.size() : end + close.size();
  };
  if (rest.starts_with("<!--")) return until("-->");
  if (rest.starts_with("<![CDATA[")) return until("]]>");
  if (rest.starts_with("<?")) return until("?>");
  if (rest.starts_with("<!")) {
    int brackets = 0;
    for (std::size_t k = 2; k < rest.size(); ++k) {
      if (rest[k] == '[') ++brackets;
      if (rest[k] == ']') --brackets;
      if (rest[k] == '>' && brackets <= 0) return k + 1;
    }
    return rest.size();
  }
  return 0;
}

// Escapes what XML forbids in an attribute value.
void append_attribute_value(std::string& out, std::string_view value) {
  for (std::size_t k = 0; k < value.size(); ++k) {
    const char c = value[k];
    if (c == '<') {
      out += "&lt;";
    } else if (c == '"') {
      out += "&quot;";
    } else {
      out.push_back(c);
    }
  }
}

struct Attribute {
  std::string_view name;
  std::string_view value;
};

struct Tag {
  std::string_view name;
  std::vector<Attribute> attributes;
  bool closing = false;
  bool self_closing = false;
  std::size_t end = 0;  // offset just past '>'
};

// Reads a start or end tag at text[i] == '<' leniently; false when it is not a tag.
bool read_tag(std::string_view text, std::size_t i, Tag& tag) {
  std::size_t k = i + 1;
  tag = Tag{};
  if (k < text.size() && text[k] == '/') {
    tag.closing = true;
    ++k;
  }
  if (k >= text.size() || !is_name_start(text[k])) return false;
  const std::size_t name_start = k;
  while (k < text.size() && is_name_char(text[k])) ++k;
  tag.name = text.substr(name_start, k - name_start);
  for (;;) {
    while (k < text.size() && (is_space(text[k]) || text[k] == '/')) {
      if (text[k] == '/' && k + 1 < text.size() && text[k + 1] == '>') tag.self_closing = true;
      ++k;
    }
    if (k >= text.size()) return false;  // truncated inside a tag
    if (text[k] == '>') {
      tag.end = k + 1;
      return true;
    }
    if (text[k] == '<') {  // a tag that never closed: end it before the next one
      tag.end = k;
      return true;
    }
    const std::size_t attr_start = k;
    while (k < text.size() && !is_space(text[k]) && text[k] != '=' && text[k] != '>' && text[k] != '/' &&
           text[k] != '<') {
      ++k;
    }
    Attribute attr{text.substr(attr_start, k - attr_start), {}};
    if (attr.name.empty()) {
      ++k;
      continue;
    }
    std::size_t after = k;
    while (after < text.size() && is_space(text[after])) ++after;
    if (after < text.size() && text[after] == '=') {
      k = after + 1;
      while (k < text.size() && is_space(text[k])) ++k;
      if (k < text.size() && (text[k] == '"' || text[k] == '\'')) {
        const char quote = text[k];
        const std::size_t close = text.find(quote, k + 1);
        if (close == std::string_view::npos) return false;
        attr.value = text.substr(k + 1, close - k - 1);
        k = close + 1;
      } else {
        const std::size_t value_start = k;
        while (k < text.size() && !is_space(text[k]) && text[k] != '>') ++k;
        attr.value = text.substr(value_start, k - value_start);
      }
    }
    if (std::all_of(attr.name.begin(), attr.name.end(), is_name_char) && is_name_start(attr.name.front())) {
      tag.attributes.push_back(attr);
    }
  }
}

// HTML elements that never have content, when they appear lowercase inside a feed's HTML.
bool is_void_html(std::string_view name) {
  static constexpr std::array<std::string_view, 10> names = {"br",   "img", "hr",  "meta",   "input",
                                                             "area", "wbr", "col", "source", "embed"};
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool has_element_child(pugi::xml_node node) {
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element) return true;
  }
  return false;
}

// True when, after white space, text[i] starts a start tag.
bool next_is_start_tag(std::string_view text, std::size_t i) {
  while (i < text.size() && is_space(text[i])) ++i;
  return i + 1 < text.size() && text[i] == '<' && is_name_start(text[i + 1]);
}

}  // namespace

std::string repair_markup(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  std::size_t i = 0;
  Tag tag;
  while (i < text.size()) {
    const std::size_t lt = text.find('<', i);
    out.append(text.substr(i, lt == std::string_view::npos ? std::string_view::npos : lt - i));
    if (lt == std::string_view::npos) break;
    if (const std::size_t special = special_section(text, lt); special != 0) {
      out.append(text.substr(lt, special));
      i = lt + special;
      continue;
    }
    if (!read_tag(text, lt, tag)) {
      out += "&lt;";
      i = lt + 1;
      continue;
    }
    out.push_back('<');
    if (tag.closing) out.push_back('/');
    out.append(tag.name);
    for (const Attribute& attr : tag.attributes) {
      out.push_back(' ');
      out.append(attr.name);
      out += "=\"";
      append_attribute_value(out, attr.value);
      out.push_back('"');
    }
    out += tag.self_closing ? "/>" : ">";
    i = tag.end;
  }
  return out;
}

namespace {

// CR LF and a lone CR as LF, as XML 1.0 (2.11) has them read and the strict parse gives them.
void assign_line_ends_normalized(std::string& out, std::string_view text) {
  out.clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') {
      out.push_back(text[i]);
      continue;
    }
    out.push_back('\n');
    if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
  }
}

}  // namespace

bool read_tag_soup(std::string_view text, pugi::xml_document& document, std::size_t max_depth) {
  std::vector<pugi::xml_node> open{document};
  std::vector<std::string_view> open_names{std::string_view()};
  std::size_t i = 0;
  Tag tag;
  std::string scratch;
  const auto add_text = [&](std::string_view chunk, pugi::xml_node_type type) {
    if (chunk.empty() || open.size() == 1) return;  // text outside the root is junk
    assign_line_ends_normalized(scratch, chunk);
    open.back().append_child(type).set_value(scratch.c_str());
  };
  while (i < text.size()) {
    const std::size_t lt = text.find('<', i);
    add_text(text.substr(i, lt == std::string_view::npos ? std::string_view::npos : lt - i),
             pugi::node_pcdata);
    if (lt == std::string_view::npos) break;
    const std::string_view rest = text.substr(lt);
    if (const std::size_t special = special_section(text, lt); special != 0) {
      if (rest.starts_with("<![CDATA[")) {
        const std::string_view body = rest.substr(9, special - 9);
        add_text(body.ends_with("]]>") ? body.substr(0, body.size() - 3) : body, pugi::node_cdata);
      }
      i = lt + special;
      continue;
    }
    if (!read_tag(text, lt, tag)) {
      if (text.find('>', lt) == std::string_view::npos) break;  // a tag cut off by truncation
      add_text("&lt;", pugi::node_pcdata);
      i = lt + 1;
      continue;
    }
    i = tag.end;
    if (tag.closing) {
      const auto match = std::find(open_names.rbegin(), open_names.rend() - 1, tag.name);
      if (match == open_names.rend() - 1) {
        // An end tag nothing opened. After a text-only element followed by a new element
        // it is a misspelt end of that element (<language>vi</langauge><item>); anywhere
        // else it is stray markup and ignored.
        if (open.size() > 1 && open.back().first_child() && !has_element_child(open.back()) &&
            next_is_start_tag(text, i)) {
          open.pop_back();
          open_names.pop_back();
        }
        continue;
      }
      const std::size_t keep = static_cast<std::size_t>(open_names.rend() - match) - 1;
      open.resize(keep);
      open_names.resize(keep);
      continue;
    }
    if (open.size() == 1 && document.first_child()) {
      // A second root: keep reading into the first one, as browsers do.
      open.push_back(document.document_element());
      open_names.push_back(document.document_element().name());
    }
    scratch.assign(tag.name);
    pugi::xml_node element = open.back().append_child(scratch.c_str());
    for (const Attribute& attr : tag.attributes) {
      scratch.assign(attr.name);
      pugi::xml_attribute added = element.append_attribute(scratch.c_str());
      assign_line_ends_normalized(scratch, attr.value);
      added.set_value(scratch.c_str());
    }
    if (!tag.self_closing && !is_void_html(tag.name)) {
      if (open.size() > max_depth) return false;
      open.push_back(element);
      open_names.push_back(element.name());
    }
  }
  return true;
}

}  // namespace tinhop::xml

namespace tinhop::xml {
namespace {

// True when text[at] == '&' starts a character or entity reference ("&#38;", "&#x26;",
// "&name;"), whether or not the name is declared.
bool starts_reference(std::string_view text, std::size_t at) {
  std::size_t k = at + 1;
  if (k < text.size() && text[k] == '#') {
    ++k;
    const bool hex = k < text.size() && text[k] == 'x';
    if (hex) ++k;
    const std::size_t digits = k;
    while (k < text.size() && (hex ? std::isxdigit(static_cast<unsigned char>(text[k])) != 0
                                   : std::isdigit(static_cast<unsigned char>(text[k])) != 0)) {
      ++k;
    }
    return k > digits && k < text.size() && text[k] == ';';
  }
  if (k >= text.size() || !is_name_start(text[k])) return false;
  while (k < text.size() && is_name_char(text[k])) ++k;
  return k < text.size() && text[k] == ';';
}

// Walks the document one region at a time (text, a tag, or a section whose content is
// not markup), forward only, to say what holds a given offset.
class RegionCursor {
 public:
  enum class Kind { text, tag, verbatim };

  explicit RegionCursor(std::string_view text) : text_(text) {}

  // The kind of region holding `offset`; offsets must not decrease between calls.
  Kind kind_at(std::size_t offset) {
    while (offset >= end_) next();
    return kind_;
  }

 private:
  void next() {
    const std::size_t start = end_;
    if (text_[start] != '<') {
      kind_ = Kind::text;
      end_ = std::min(text_.find('<', start), text_.size());
    } else if (const std::size_t special = special_section(text_, start); special != 0) {
      kind_ = Kind::verbatim;
      end_ = start + special;
    } else {
      kind_ = Kind::tag;
      // A quoted value runs to its closing quote, whatever it holds; the tag ends at the
      // first '>' (or a '<' that starts the next) outside quotes.
      end_ = start + 1;
      while (end_ < text_.size()) {
        end_ = next_tag_delimiter(end_);
        if (end_ == text_.size()) break;
        const char c = text_[end_];
        if (c == '>' || c == '<') {
          end_ += c == '>' ? 1 : 0;
          break;
        }
        end_ = std::min(text_.find(c, end_ + 1), text_.size() - 1) + 1;
      }
    }
  }

  // The first quote or angle bracket from `from` (the text's size when none): a tag's
  // name and attributes are read 16 bytes at a time.
  std::size_t next_tag_delimiter(std::size_t from) const {
    std::size_t at = from;
#if defined(__SSE2__)
    for (; at + 16 <= text_.size(); at += 16) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text_.data() + at));
      const __m128i found = _mm_or_si128(
          _mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('"')), _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\''))),
          _mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('<')), _mm_cmpeq_epi8(bytes, _mm_set1_epi8('>'))));
      if (const int mask = _mm_movemask_epi8(found); mask != 0)
        return at + static_cast<std::size_t>(std::countr_zero(static_cast<unsigned>(mask)));
    }
#endif
    for (; at < text_.size(); ++at) {
      const char c = text_[at];
      if (c == '"' || c == '\'' || c == '<' || c == '>') return at;
    }
    return text_.size();
  }

  std::string_view text_;
  std::size_t end_ = 0;
  Kind kind_ = Kind::text;
};

struct BareAmpersands {
  std::size_t count = 0;
  std::size_t first = 0;
};

std::string line_of(std::string_view text, std::size_t offset) {
  return std::to_string(1 +
                        std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

}  // namespace

std::vector<std::string> tolerated_errors(std::string_view text) {
  std::vector<std::string> errors;
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first != 0 && first != std::string_view::npos && text.substr(first).starts_with("<?xml") &&
      first + 5 < text.size() && (is_space(text[first + 5]) || text[first + 5] == '?')) {
    errors.push_back("malformed XML: white space before the XML declaration");
  }
  BareAmpersands in_text;
  BareAmpersands in_attributes;
  std::optional<RegionCursor> regions;  // made at the first '&' that needs it
  for (std::size_t at = text.find('&'); at != std::string_view::npos; at = text.find('&', at + 1)) {
    if (starts_reference(text, at)) continue;
    if (!regions) regions.emplace(text);
    const RegionCursor::Kind kind = regions->kind_at(at);
    if (kind == RegionCursor::Kind::verbatim) continue;
    BareAmpersands& found = kind == RegionCursor::Kind::tag ? in_attributes : in_text;
    if (found.count++ == 0) found.first = at;
  }
  for (const auto& [found, where] :
       {std::pair{&in_attributes, "attribute values"}, std::pair{&in_text, "text"}}) {
    if (found->count == 0) continue;
    errors.push_back("malformed XML: " + std::to_string(found->count) + " bare '&' in " + where +
                     " kept as written (first on line " + line_of(text, found->first) + ")");
  }
  return errors;
}

}  // namespace tinhop::xml
