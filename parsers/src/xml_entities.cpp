#include "xml_entities.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <unordered_map>

#include "text_internal.hpp"

namespace tinhop::xml {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_name_start(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') || c == '_' || c == ':' || byte >= 0x80;
}

bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// The name at text[at], or empty when none starts there.
std::string_view name_at(std::string_view text, std::size_t at) {
  if (at >= text.size() || !is_name_start(text[at])) return {};
  std::size_t end = at + 1;
  while (end < text.size() && is_name_char(text[end])) ++end;
  return text.substr(at, end - at);
}

// The offset just past `close` searched from `from`, or npos.
std::size_t past(std::string_view text, std::size_t from, std::string_view close) {
  const std::size_t at = text.find(close, from);
  return at == std::string_view::npos ? at : at + close.size();
}

// The offset just past the '>' ending the declaration at `from`, skipping quoted strings.
std::size_t past_declaration(std::string_view text, std::size_t from) {
  for (std::size_t i = from; i < text.size(); ++i) {
    if (text[i] == '"' || text[i] == '\'') {
      i = text.find(text[i], i + 1);
      if (i == std::string_view::npos) return i;
    } else if (text[i] == '>') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// An entity's literal value with its character references replaced, as XML 1.0 section
// 4.5 builds the replacement text; references to other entities are kept for expansion.
std::string replacement_text(std::string_view literal) {
  std::string out;
  out.reserve(literal.size());
  for (std::size_t i = 0; i < literal.size(); ++i) {
    if (literal[i] == '&' && i + 2 < literal.size() && literal[i + 1] == '#') {
      const bool hex = literal[i + 2] == 'x';
      const std::size_t digits = i + (hex ? 3 : 2);
      const std::size_t semicolon = literal.find(';', digits);
      std::uint32_t code = 0;
      if (semicolon != std::string_view::npos) {
        const auto [end, error] =
            std::from_chars(literal.data() + digits, literal.data() + semicolon, code, hex ? 16 : 10);
        if (error == std::errc() && end == literal.data() + semicolon && semicolon > digits) {
          append_code_point(out, code);
          i = semicolon;
          continue;
        }
      }
    }
    out.push_back(literal[i]);
  }
  return out;
}

bool is_predefined(std::string_view name) {
  return name == "lt" || name == "gt" || name == "amp" || name == "apos" || name == "quot";
}

struct Entity {
  std::string replacement;  // internal: before expansion of the references it holds
  bool external = false;
  bool expanding = false;
  std::optional<std::string> expanded;
};

class Expander {
 public:
  Expander(const EntityLimits& limits, std::vector<std::string>& warnings)
      : limits_(limits), warnings_(warnings) {}

  // Reads the internal subset text[from, ...) up to its ']'; the offset past it, or npos.
  std::size_t read_subset(std::string_view text, std::size_t from) {
    std::size_t i = from;
    while (i != std::string_view::npos && i < text.size()) {
      const std::string_view rest = text.substr(i);
      if (is_space(text[i])) {
        ++i;
      } else if (text[i] == ']') {
        return i + 1;
      } else if (rest.starts_with("<!--")) {
        i = past(text, i + 4, "-->");
      } else if (rest.starts_with("<?")) {
        i = past(text, i + 2, "?>");
      } else if (rest.starts_with("<!ENTITY")) {
        i = read_entity(text, i + 8);
      } else if (rest.starts_with("<!")) {
        i = past_declaration(text, i + 2);
      } else {
        ++i;
      }
    }
    return std::string_view::npos;
  }

  bool declares_internal() const { return internal_ != 0; }
  bool declares_any() const { return internal_ + external_ != 0; }

  // One warning per external entity the body referred to.
  void warn_external_references() const {
    for (const std::string_view name : external_used_) {
      warnings_.push_back("external entity &" + std::string(name) + "; not fetched: kept as written");
    }
  }

  // Copies text[from, ...) into `out`, expanding references in content and in attribute
  // values; comments, CDATA sections and processing instructions are copied unchanged.
  bool expand_body(std::string_view text, std::size_t from, std::string& out) {
    spent_ = text.size();
    bool in_tag = false;
    char quote = 0;
    std::size_t i = from;
    while (i < text.size()) {
      const char c = text[i];
      if (c == '&') {
        if (!expand_reference(text, i, quote != 0, out)) return false;
        continue;
      }
      if (in_tag) {
        if (quote != 0 && c == quote) {
          quote = 0;
        } else if (quote == 0 && (c == '"' || c == '\'')) {
          quote = c;
        } else if (quote == 0 && c == '>') {
          in_tag = false;
        }
        out.push_back(c);
        ++i;
        continue;
      }
      if (c == '<') {
        const std::string_view rest = text.substr(i);
        const std::size_t end = rest.starts_with("<!--")        ? past(text, i + 4, "-->")
                                : rest.starts_with("<![CDATA[") ? past(text, i + 9, "]]>")
                                : rest.starts_with("<?")        ? past(text, i + 2, "?>")
                                                                : i;
        if (end != i) {
          const std::size_t stop = end == std::string_view::npos ? text.size() : end;
          out.append(text, i, stop - i);
          i = stop;
          continue;
        }
        in_tag = i + 1 < text.size() && (is_name_start(text[i + 1]) || text[i + 1] == '/');
      }
      out.push_back(c);
      ++i;
    }
    return true;
  }

  // Why nothing was expanded, once expand_body returned false.
  const std::string& problem() const { return problem_; }

 private:
  std::size_t read_entity(std::string_view text, std::size_t from) {
    std::size_t i = from;
    while (i < text.size() && is_space(text[i])) ++i;
    // A parameter entity (%name;) would only declare more: never read, never expanded.
    if (i < text.size() && text[i] == '%') return past_declaration(text, i + 1);
    const std::string_view name = name_at(text, i);
    i += name.size();
    while (i < text.size() && is_space(text[i])) ++i;
    if (name.empty() || i >= text.size()) return past_declaration(text, i);
    // The first declaration binds (XML 1.0 section 4.2); the five predefined stay as they are.
    const bool declared = by_name_.contains(name) || is_predefined(name);
    if (text[i] == '"' || text[i] == '\'') {
      const std::size_t close = text.find(text[i], i + 1);
      if (close == std::string_view::npos) return close;
      if (!declared) {
        by_name_.emplace(name, Entity{replacement_text(text.substr(i + 1, close - i - 1)), false, false, {}});
        ++internal_;
      }
      return past_declaration(text, close + 1);
    }
    if (!declared) {
      by_name_.emplace(name, Entity{{}, true, false, {}});
      ++external_;
    }
    return past_declaration(text, i);
  }

  bool spend(std::size_t bytes) {
    spent_ += bytes;
    if (spent_ <= limits_.max_bytes) return true;
    problem_ = "entities expand past " + std::to_string(limits_.max_bytes) + " bytes";
    return false;
  }

  // The full expansion of `entity`, references inside it expanded; null on a problem.
  const std::string* expansion(std::string_view name, Entity& entity, std::size_t depth) {
    if (entity.expanded) return &*entity.expanded;
    if (entity.expanding) {
      problem_ = "entity &" + std::string(name) + "; refers to itself";
      return nullptr;
    }
    if (depth > limits_.max_depth) {
      problem_ = "entities nest deeper than " + std::to_string(limits_.max_depth) + " levels";
      return nullptr;
    }
    entity.expanding = true;
    std::string out;
    const std::string_view text = entity.replacement;
    for (std::size_t i = 0; i < text.size();) {
      if (text[i] == '&') {
        const std::string_view inner = name_at(text, i + 1);
        const std::size_t end = i + 1 + inner.size();
        if (!inner.empty() && end < text.size() && text[end] == ';') {
          const auto found = by_name_.find(inner);
          if (found != by_name_.end() && !found->second.external) {
            const std::string* nested = expansion(inner, found->second, depth + 1);
            if (nested == nullptr || !spend(nested->size())) return nullptr;
            out += *nested;
            i = end + 1;
            continue;
          }
        }
      }
      out.push_back(text[i++]);
    }
    entity.expanding = false;
    entity.expanded = std::move(out);
    return &*entity.expanded;
  }

  // At text[at] == '&': appends the reference's expansion, or the '&' alone when it is
  // none of the declared internal entities, and moves `at` past what it consumed.
  bool expand_reference(std::string_view text, std::size_t& at, bool in_attribute, std::string& out) {
    const std::string_view name = name_at(text, at + 1);
    const std::size_t end = at + 1 + name.size();
    const auto found =
        name.empty() || end >= text.size() || text[end] != ';' ? by_name_.end() : by_name_.find(name);
    if (found == by_name_.end() || found->second.external) {
      if (found != by_name_.end() &&
          std::find(external_used_.begin(), external_used_.end(), found->first) == external_used_.end()) {
        external_used_.push_back(found->first);
      }
      out.push_back('&');
      ++at;
      return true;
    }
    const std::string* expanded = expansion(name, found->second, 1);
    if (expanded == nullptr || !spend(expanded->size())) return false;
    if (in_attribute) {
      // An attribute value cannot hold markup; its quotes are data (XML 1.0 section 4.4.5).
      for (const char c : *expanded) {
        if (c == '<') {
          out += "&lt;";
        } else if (c == '"') {
          out += "&quot;";
        } else if (c == '\'') {
          out += "&apos;";
        } else {
          out.push_back(c);
        }
      }
    } else {
      out += *expanded;
    }
    at = end + 1;
    return true;
  }

  const EntityLimits& limits_;
  std::vector<std::string>& warnings_;
  std::unordered_map<std::string_view, Entity> by_name_;
  std::size_t internal_ = 0;
  std::size_t external_ = 0;
  std::size_t spent_ = 0;
  std::vector<std::string_view> external_used_;  // in the order first referenced
  std::string problem_;
};

// The offset of a DOCTYPE declaration after the XML declaration, comments and processing
// instructions that may precede it; npos when the prolog has none.
std::size_t find_doctype(std::string_view text) {
  std::size_t i = 0;
  for (;;) {
    while (i < text.size() && is_space(text[i])) ++i;
    const std::string_view rest = text.substr(std::min(i, text.size()));
    if (rest.starts_with("<!DOCTYPE")) return i;
    if (rest.starts_with("<?")) {
      i = past(text, i + 2, "?>");
    } else if (rest.starts_with("<!--")) {
      i = past(text, i + 4, "-->");
    } else {
      return std::string_view::npos;
    }
    if (i == std::string_view::npos) return i;
  }
}

}  // namespace

std::optional<std::string> expand_internal_entities(std::string_view text, const EntityLimits& limits,
                                                    std::vector<std::string>& warnings) {
  const std::size_t doctype = find_doctype(text);
  if (doctype == std::string_view::npos) return std::nullopt;
  // The document type's name and external identifier, up to the internal subset: an
  // external DTD (RSS 0.91's) is never fetched.
  std::size_t i = doctype + 9;
  while (i < text.size() && text[i] != '[' && text[i] != '>') {
    if (text[i] == '"' || text[i] == '\'') {
      i = text.find(text[i], i + 1);
      if (i == std::string_view::npos) return std::nullopt;
    }
    ++i;
  }
  if (i >= text.size() || text[i] != '[') return std::nullopt;
  Expander expander(limits, warnings);
  const std::size_t subset_end = expander.read_subset(text, i + 1);
  if (subset_end == std::string_view::npos || !expander.declares_any()) return std::nullopt;
  const std::size_t doctype_end = past_declaration(text, subset_end);
  if (doctype_end == std::string_view::npos) return std::nullopt;
  std::string out(text.substr(0, doctype_end));
  if (!expander.expand_body(text, doctype_end, out)) {
    warnings.push_back(expander.problem() + ": no entity expanded");
    return std::nullopt;
  }
  expander.warn_external_references();
  // With external entities only, the copy is the text itself.
  if (!expander.declares_internal()) return std::nullopt;
  return out;
}

}  // namespace tinhop::xml
