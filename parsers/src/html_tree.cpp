// HTML5 page -> pugixml tree: charset, a nesting guard, gumbo's parse, and the copy into
// pugixml so that XPath 1.0 can query it.
#include <gumbo.h>

#include <algorithm>
#include <array>
#include <csetjmp>
#include <cstddef>
#include <cstdlib>

#include "budget_terms.hpp"
#include "html_internal.hpp"
#include "tinhop/parsers/charset.hpp"
#include "tinhop/parsers/memory_budget.hpp"
#include "tinhop/parsers/text.hpp"

namespace tinhop::html_detail {
namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool starts_with_ci(std::string_view text, std::size_t at, std::string_view prefix) {
  if (at + prefix.size() > text.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(text[at + i]) != prefix[i]) return false;
  }
  return true;
}

// The charset a <meta charset="..."> or <meta http-equiv content="...; charset=...">
// names in the first 4 KiB (the HTML5 prescan looks at 1024 bytes; CMS pages put
// comments and scripts first).
std::optional<std::string> meta_charset(std::string_view bytes) {
  const std::string_view head = bytes.substr(0, 4096);
  for (std::size_t at = head.find('<'); at != std::string_view::npos; at = head.find('<', at + 1)) {
    if (!starts_with_ci(head, at + 1, "meta")) continue;
    const std::size_t end = head.find('>', at);
    if (end == std::string_view::npos) break;
    std::string tag;
    for (char c : head.substr(at, end - at)) tag.push_back(lower(c));
    const std::size_t key = tag.find("charset=");
    if (key == std::string::npos) continue;
    std::size_t start = key + 8;
    while (start < tag.size() && (tag[start] == '"' || tag[start] == '\'' || tag[start] == ' ')) ++start;
    std::size_t stop = start;
    while (stop < tag.size() && std::string_view("\"'; />").find(tag[stop]) == std::string_view::npos) ++stop;
    if (stop > start) return tag.substr(start, stop - start);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 22> non_nesting{
    "area",   "base",  "br",  "col", "embed", "hr",     "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "p",   "li",    "option", "td",  "th",    "tr",   "dd",   "dt"};

// An upper bound on element nesting read straight from the tags, so that a hostile page
// is refused before gumbo (whose tree teardown recurses) ever sees it. Void elements and
// elements HTML5 closes implicitly do not count.
std::size_t nesting_estimate(std::string_view html) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  for (std::size_t at = html.find('<'); at != std::string_view::npos; at = html.find('<', at + 1)) {
    // Comments and script/style bodies are text to the HTML5 parser: "<div>" in a JS string
    // nests nothing.
    std::string_view raw_end;
    if (html.substr(at, 4) == "<!--") raw_end = "-->";
    if (starts_with_ci(html, at, "<script")) raw_end = "</script";
    if (starts_with_ci(html, at, "<style")) raw_end = "</style";
    if (!raw_end.empty()) {
      std::size_t end = at + 1;
      while (end < html.size() && !starts_with_ci(html, end, raw_end)) end = html.find(raw_end[0], end + 1);
      if (end >= html.size()) break;
      at = end;  // neither the opening nor the closing tag counts
      continue;
    }
    const bool closing = at + 1 < html.size() && html[at + 1] == '/';
    std::size_t name_start = at + (closing ? 2 : 1);
    std::size_t name_end = name_start;
    while (name_end < html.size() && ((html[name_end] >= 'a' && html[name_end] <= 'z') ||
                                      (html[name_end] >= 'A' && html[name_end] <= 'Z') ||
                                      (html[name_end] >= '0' && html[name_end] <= '9'))) {
      ++name_end;
    }
    if (name_end == name_start) continue;
    std::string name;
    for (char c : html.substr(name_start, name_end - name_start)) name.push_back(lower(c));
    if (std::find(non_nesting.begin(), non_nesting.end(), name) != non_nesting.end()) continue;
    if (closing) {
      depth = depth > 0 ? depth - 1 : 0;
      continue;
    }
    const std::size_t close = html.find('>', name_end);
    if (close != std::string_view::npos && close > 0 && html[close - 1] == '/') continue;
    deepest = std::max(deepest, ++depth);
  }
  return deepest;
}

std::string tag_name(const GumboElement& element) {
  if (element.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(element.tag);
  GumboStringPiece piece = element.original_tag;
  gumbo_tag_from_original_text(&piece);
  std::string name;
  for (std::size_t i = 0; i < piece.length; ++i) name.push_back(lower(piece.data[i]));
  return name.empty() ? std::string("unknown") : name;
}

bool skipped(GumboTag tag) {
  return tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE || tag == GUMBO_TAG_TEMPLATE;
}

// Copies gumbo's tree into pugixml without recursion (pages can be deep).
void copy_tree(const GumboNode* root, pugi::xml_node target) {
  struct Frame {
    const GumboNode* node;
    pugi::xml_node parent;
  };
  std::vector<Frame> stack{{root, target}};
  while (!stack.empty()) {
    Frame frame = stack.back();
    stack.pop_back();
    const GumboNode* node = frame.node;
    if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE ||
        node->type == GUMBO_NODE_CDATA) {
      frame.parent.append_child(pugi::node_pcdata).set_value(node->v.text.text);
      continue;
    }
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) continue;
    const GumboElement& element = node->v.element;
    if (skipped(element.tag)) continue;
    pugi::xml_node copy = frame.parent.append_child(tag_name(element).c_str());
    for (unsigned i = 0; i < element.attributes.length; ++i) {
      const auto* attribute = static_cast<const GumboAttribute*>(element.attributes.data[i]);
      copy.append_attribute(attribute->name).set_value(attribute->value);
    }
    // Pushed in reverse so children are copied in document order.
    for (unsigned i = element.children.length; i > 0; --i) {
      stack.push_back({static_cast<const GumboNode*>(element.children.data[i - 1]), copy});
    }
  }
}

// gumbo's allocations, charged to a budget. gumbo uses whatever its allocator returns and
// has no way to fail, so a refused allocation leaves the parse by longjmp (see
// parse_charged) and the arena then frees every block gumbo still held: each block is
// linked into a list behind a small header.
class GumboArena {
 public:
  explicit GumboArena(MemoryBudget& budget) noexcept : budget_(budget) {}
  GumboArena(const GumboArena&) = delete;
  GumboArena& operator=(const GumboArena&) = delete;
  ~GumboArena() { free_all(); }

  GumboOptions options() {
    GumboOptions options = kGumboDefaultOptions;
    options.allocator = &GumboArena::allocate;
    options.deallocator = &GumboArena::deallocate;
    options.userdata = this;
    return options;
  }

  void free_all() noexcept {
    while (blocks_.next != &blocks_) release(blocks_.next);
  }

  std::jmp_buf* escape = nullptr;  // where a refused allocation jumps to

 private:
  struct alignas(std::max_align_t) Block {
    Block* previous;
    Block* next;
    std::size_t bytes;
  };

  static void* allocate(void* userdata, std::size_t size) {
    auto& arena = *static_cast<GumboArena*>(userdata);
    const std::size_t bytes = sizeof(Block) + size;
    void* memory = nullptr;
    if (size < arena.budget_.left() && arena.budget_.charge(bytes)) {
      memory = std::malloc(bytes);
      if (memory == nullptr) arena.budget_.release(bytes);
    }
    if (memory == nullptr) std::longjmp(*arena.escape, 1);
    auto* block = static_cast<Block*>(memory);
    *block = Block{&arena.blocks_, arena.blocks_.next, bytes};
    arena.blocks_.next->previous = block;
    arena.blocks_.next = block;
    return block + 1;
  }

  static void deallocate(void* userdata, void* pointer) {
    if (pointer != nullptr) static_cast<GumboArena*>(userdata)->release(static_cast<Block*>(pointer) - 1);
  }

  void release(Block* block) noexcept {
    block->previous->next = block->next;
    block->next->previous = block->previous;
    budget_.release(block->bytes);
    std::free(block);
  }

  MemoryBudget& budget_;
  Block blocks_{&blocks_, &blocks_, 0};  // the list's sentinel
};

// gumbo's parse of `text`, or null when its allocations outgrew the arena's budget. Only
// gumbo's C frames and the allocator, which hold no object with a destructor, lie
// between the setjmp here and a longjmp; this frame holds none either.
GumboOutput* parse_charged(GumboArena& arena, const GumboOptions& options, std::string_view text) {
  std::jmp_buf escape;
  arena.escape = &escape;
  if (setjmp(escape) != 0) {
    arena.free_all();
    return nullptr;
  }
  return gumbo_parse_with_options(&options, text.data(), text.size());
}

bool is_block(std::string_view name) {
  static constexpr std::array<std::string_view, 24> blocks{
      "br", "p",       "div",     "li",     "ul",     "ol",     "h1",         "h2",
      "h3", "h4",      "h5",      "h6",     "tr",     "td",     "th",         "dt",
      "dd", "section", "article", "header", "footer", "figure", "figcaption", "table"};
  return std::find(blocks.begin(), blocks.end(), name) != blocks.end();
}

}  // namespace

HtmlError build_tree(std::string_view bytes, std::string_view content_type, const HtmlLimits& limits,
                     HtmlTree& tree, std::string& message) {
  if (bytes.size() > limits.max_bytes) {
    message = "page of " + std::to_string(bytes.size()) + " bytes exceeds the limit of " +
              std::to_string(limits.max_bytes);
    return HtmlError::too_large;
  }
  std::string type(content_type);
  if (!charset_from_content_type(content_type) && !is_valid_utf8(bytes)) {
    if (const auto charset = meta_charset(bytes)) type = "text/html; charset=" + *charset;
  }
  MemoryBudget budget(detail::budget_limit(bytes.size(), limits.memory_ratio, limits.memory_floor));
  const auto over_budget = [&] {
    message = "page needs more than " + detail::binary_size(budget.limit()) + " to parse (budget: " +
              detail::budget_terms(bytes.size(), limits.memory_ratio, limits.memory_floor) + ")";
    return HtmlError::over_memory_budget;
  };
  DecodedText decoded = decode_document(bytes, type);
  if (!budget.charge(decoded.storage.capacity())) return over_budget();
  tree.encoding = decoded.encoding;
  tree.warnings = std::move(decoded.warnings);
  // decode_document speaks for feeds; a page served as text/html is what a page should be.
  std::erase_if(tree.warnings, [](const std::string& w) { return w.starts_with("served as "); });
  const std::size_t depth = nesting_estimate(decoded.text);
  if (depth > limits.max_depth) {
    message = "element nesting of about " + std::to_string(depth) + " exceeds the limit of " +
              std::to_string(limits.max_depth);
    return HtmlError::too_deep;
  }
  GumboArena arena(budget);
  const GumboOptions options = arena.options();
  GumboOutput* output = parse_charged(arena, options, decoded.text);
  if (output == nullptr) return over_budget();
  {
    // The copy is charged while gumbo's tree is still alive beside it: that is the peak.
    // pugixml refuses what does not fit, and the copy is then incomplete: refused whole.
    // The copy outlives the scope; its blocks are freed later, uncharged.
    PugixmlBudgetScope charged(budget);
    copy_tree(output->root, tree.document);
    gumbo_destroy_output(&options, output);
    if (budget.exhausted()) {
      tree.document.reset();
      return over_budget();
    }
  }
  return HtmlError::none;
}

std::string node_text(pugi::xml_node node) {
  std::string text;
  if (node.type() == pugi::node_pcdata) {
    text = node.value();
  } else {
    for (pugi::xml_node current = node.first_child(); current && current != node;) {
      if (current.type() == pugi::node_pcdata) text += current.value();
      if (current.type() == pugi::node_element && is_block(current.name())) text += ' ';
      if (current.first_child()) {
        current = current.first_child();
        continue;
      }
      while (current != node && !current.next_sibling()) current = current.parent();
      if (current != node) current = current.next_sibling();
    }
  }
  return to_nfc(collapse_whitespace(text));
}

}  // namespace tinhop::html_detail
