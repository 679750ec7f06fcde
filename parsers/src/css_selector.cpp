// CSS selectors compiled to XPath 1.0, and selector compilation for pugixml.
#include <pugixml.hpp>

#include "html_internal.hpp"

namespace tinhop {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// An XPath string literal for `value`; nullopt when it holds both quote characters.
std::optional<std::string> literal(std::string_view value) {
  if (value.find('\'') == std::string_view::npos) return "'" + std::string(value) + "'";
  if (value.find('"') == std::string_view::npos) return "\"" + std::string(value) + "\"";
  return std::nullopt;
}

class CssCompiler {
 public:
  explicit CssCompiler(std::string_view css) : css_(css) {}

  std::optional<std::string> run(bool relative) {
    std::string xpath;
    while (true) {
      skip_spaces();
      auto one = selector(relative);
      if (!one) return std::nullopt;
      xpath += *one;
      skip_spaces();
      if (done()) return xpath;
      if (!eat(',')) return std::nullopt;
      xpath += " | ";
    }
  }

 private:
  bool done() const { return pos_ >= css_.size(); }
  char peek() const { return done() ? '\0' : css_[pos_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  bool skip_spaces() {
    const std::size_t start = pos_;
    while (!done() && (peek() == ' ' || peek() == '\t' || peek() == '\n')) ++pos_;
    return pos_ != start;
  }
  std::string name() {
    const std::size_t start = pos_;
    while (!done() && is_name_char(peek())) ++pos_;
    return std::string(css_.substr(start, pos_ - start));
  }

  // One selector: compound (combinator compound)*.
  std::optional<std::string> selector(bool relative) {
    std::string xpath = relative ? "." : "";
    std::string axis = "//";
    if (eat('>')) {
      axis = "/";
      skip_spaces();
    }
    while (true) {
      auto step = compound();
      if (!step) return std::nullopt;
      xpath += axis + *step;
      const bool spaced = skip_spaces();
      if (done() || peek() == ',') return xpath;
      if (eat('>')) {
        axis = "/";
        skip_spaces();
      } else if (spaced) {
        axis = "//";
      } else {
        return std::nullopt;
      }
    }
  }

  // tag or *, then any number of .class, #id and [attribute] tests.
  std::optional<std::string> compound() {
    std::string tag = eat('*') ? "*" : name();
    std::string predicates;
    while (true) {
      if (eat('.')) {
        const std::string cls = name();
        if (cls.empty()) return std::nullopt;
        predicates += "[contains(concat(' ',normalize-space(@class),' '),' " + cls + " ')]";
      } else if (eat('#')) {
        const std::string id = name();
        if (id.empty()) return std::nullopt;
        predicates += "[@id='" + id + "']";
      } else if (eat('[')) {
        auto test = attribute();
        if (!test) return std::nullopt;
        predicates += "[" + *test + "]";
      } else {
        break;
      }
    }
    if (tag.empty() && predicates.empty()) return std::nullopt;
    if (tag.empty()) tag = "*";
    for (char& c : tag) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return tag + predicates;
  }

  std::optional<std::string> attribute() {
    skip_spaces();
    std::string attr = name();
    if (attr.empty()) return std::nullopt;
    for (char& c : attr) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    skip_spaces();
    const std::string at = "@" + attr;
    if (eat(']')) return at;
    char op = '=';
    if (peek() == '~' || peek() == '^' || peek() == '$' || peek() == '*') op = css_[pos_++];
    if (!eat('=')) return std::nullopt;
    skip_spaces();
    std::string value;
    if (peek() == '"' || peek() == '\'') {
      const char quote = css_[pos_++];
      const std::size_t end = css_.find(quote, pos_);
      if (end == std::string_view::npos) return std::nullopt;
      value = std::string(css_.substr(pos_, end - pos_));
      pos_ = end + 1;
    } else {
      value = name();
      if (value.empty()) return std::nullopt;
    }
    skip_spaces();
    if (!eat(']')) return std::nullopt;
    const auto v = literal(value);
    if (!v) return std::nullopt;
    switch (op) {
      case '~': return "contains(concat(' ',normalize-space(" + at + "),' '),concat(' '," + *v + ",' '))";
      case '^': return "starts-with(" + at + "," + *v + ")";
      case '$': return "substring(" + at + ",string-length(" + at + ")-string-length(" + *v + ")+1)=" + *v;
      case '*': return "contains(" + at + "," + *v + ")";
      default: return at + "=" + *v;
    }
  }

  std::string_view css_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<std::string> css_to_xpath(std::string_view css, bool relative) {
  if (css.empty() || css.size() > 1024) return std::nullopt;
  return CssCompiler(css).run(relative);
}

namespace html_detail {

std::optional<CompiledSelector> compile_selector(std::string_view selector, bool relative,
                                                 std::string& message) {
  CompiledSelector compiled;
  compiled.text = std::string(selector);
  while (!selector.empty() && selector.front() == ' ') selector.remove_prefix(1);
  while (!selector.empty() && selector.back() == ' ') selector.remove_suffix(1);
  if (selector.empty()) return compiled;
  std::string xpath;
  if (selector.substr(0, 6) == "xpath:") {
    xpath = std::string(selector.substr(6));
  } else if (selector.substr(0, 4) != "css:" && (selector.front() == '/' || selector.front() == '.' ||
                                                 selector.front() == '(' || selector.front() == '@')) {
    // '.' starts both ".//a" (XPath) and ".title" (CSS): XPath only when a path follows.
    if (selector.front() != '.' || selector.substr(0, 2) == "./" || selector.substr(0, 2) == "..") {
      xpath = std::string(selector);
    }
  }
  if (xpath.empty()) {
    const std::string_view css = selector.substr(0, 4) == "css:" ? selector.substr(4) : selector;
    const auto compiled_css = css_to_xpath(css, relative);
    if (!compiled_css) {
      message = "selector \"" + std::string(selector) + "\" is neither XPath nor a supported CSS selector";
      return std::nullopt;
    }
    xpath = *compiled_css;
  }
  // pugixml reports XPath syntax errors by exception; they stop at this boundary.
  try {
    pugi::xpath_query query(xpath.c_str());
    if (query.return_type() != pugi::xpath_type_node_set) {
      message = "selector \"" + std::string(selector) + "\" does not select nodes";
      return std::nullopt;
    }
    compiled.query.emplace(std::move(query));
  } catch (const pugi::xpath_exception& error) {
    message = "selector \"" + std::string(selector) + "\": invalid XPath (" + error.what() + ")";
    return std::nullopt;
  }
  return compiled;
}

std::optional<CompiledSelectors> compile_selectors(const HtmlSelectors& selectors, std::string& message) {
  if (selectors.item.empty()) {
    message = "the item selector is required";
    return std::nullopt;
  }
  CompiledSelectors out;
  const std::pair<const std::string*, CompiledSelector*> fields[] = {
      {&selectors.title, &out.title},     {&selectors.link, &out.link},   {&selectors.date, &out.date},
      {&selectors.summary, &out.summary}, {&selectors.image, &out.image},
  };
  auto item = compile_selector(selectors.item, false, message);
  if (!item) return std::nullopt;
  out.item = std::move(*item);
  for (const auto& [text, target] : fields) {
    auto compiled = compile_selector(*text, true, message);
    if (!compiled) return std::nullopt;
    *target = std::move(*compiled);
  }
  out.date_format = selectors.date_format;
  return out;
}

}  // namespace html_detail
}  // namespace tinhop
