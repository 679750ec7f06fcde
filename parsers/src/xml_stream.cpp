#include "xml_stream.hpp"

#include <algorithm>
#include <optional>

#include "xml_reader.hpp"
#include "xml_repair.hpp"

namespace tinhop::xml {
namespace {

constexpr std::size_t npos = std::string_view::npos;

enum class Kind { text, start, empty, end, cdata, other };

struct Token {
  Kind kind = Kind::text;
  std::string_view markup;  // as written
  std::string_view name;    // qualified element name (start, empty and end tags)
};

// A tag's end, past quoted attribute values that may hold '>'; npos when it has none.
std::size_t tag_end(std::string_view text, std::size_t from) {
  char quote = 0;
  for (std::size_t i = from; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i;
    }
  }
  return npos;
}

// The DOCTYPE's end, past its internal subset; npos when it has none.
std::size_t declaration_end(std::string_view text, std::size_t from) {
  char quote = 0;
  int brackets = 0;
  for (std::size_t i = from; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[') {
      ++brackets;
    } else if (c == ']') {
      --brackets;
    } else if (c == '>' && brackets <= 0) {
      return i;
    }
  }
  return npos;
}

// The token at `at`; nullopt when the text ends inside one.
std::optional<Token> token_at(std::string_view text, std::size_t at) {
  if (text[at] != '<') {
    const std::size_t lt = text.find('<', at);
    return Token{Kind::text, text.substr(at, lt == npos ? npos : lt - at), {}};
  }
  const std::string_view rest = text.substr(at);
  const auto until = [&](std::string_view open, std::string_view close, Kind kind) -> std::optional<Token> {
    const std::size_t end = rest.find(close, open.size());
    if (end == npos) return std::nullopt;
    return Token{kind, rest.substr(0, end + close.size()), {}};
  };
  if (rest.starts_with("<!--")) return until("<!--", "-->", Kind::other);
  if (rest.starts_with("<![CDATA[")) return until("<![CDATA[", "]]>", Kind::cdata);
  if (rest.starts_with("<?")) return until("<?", "?>", Kind::other);
  if (rest.starts_with("<!")) {
    const std::size_t end = declaration_end(rest, 2);
    if (end == npos) return std::nullopt;
    return Token{Kind::other, rest.substr(0, end + 1), {}};
  }
  const bool closing = rest.starts_with("</");
  const std::size_t end = tag_end(rest, 1);
  if (end == npos) return std::nullopt;
  const std::string_view markup = rest.substr(0, end + 1);
  const std::size_t name_begin = closing ? 2 : 1;
  const std::size_t name_end = std::min(markup.find_first_of(" \t\r\n/>", name_begin), end);
  const Kind kind = closing ? Kind::end : (markup[end - 1] == '/' ? Kind::empty : Kind::start);
  return Token{kind, markup, markup.substr(name_begin, name_end - name_begin)};
}

std::string_view local_part(std::string_view name) {
  const std::size_t colon = name.rfind(':');
  return colon == npos ? name : name.substr(colon + 1);
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return lower(x) == lower(y);
  });
}

bool only_white_space(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == npos;
}

// Where a token stands: in the feed, or in one of its entries.
enum class Place { feed, entry_start, in_entry, entry_end, whole_entry };

struct Step {
  Token token;
  Place place = Place::feed;
  std::size_t entry_depth = 0;  // 1: a child of the root; 2: of the root's channel
  bool kept = true;             // false: flattened away (see stream_flatten_depth)
};

// The document's tokens in order, each placed; the root's and channel's start tags noted.
class Walker {
 public:
  explicit Walker(std::string_view text) : text_(text) {}

  // nullopt at the end (see `nested`) or when the text ends inside a token (`broken`).
  std::optional<Step> next() {
    if (at_ >= text_.size()) return std::nullopt;
    const std::optional<Token> token = token_at(text_, at_);
    if (!token) {
      broken_ = true;
      return std::nullopt;
    }
    at_ += token->markup.size();
    Step step{*token};
    switch (token->kind) {
      case Kind::start:
      case Kind::empty: {
        const std::size_t depth = open_;
        const std::string_view local = local_part(token->name);
        if (depth == 0 && !root_seen_) {
          root_seen_ = true;
          root_tag_ = token->markup;
          root_name_ = token->name;
          entry_name_ = same_ignoring_case(local, "feed") ? "entry" : "item";
        } else if (depth == 1 && same_ignoring_case(local, "channel")) {
          in_channel_ = token->kind == Kind::start;
          channel_tag_ = token->markup;
          channel_name_ = token->name;
        }
        const bool entry = entry_depth_ == 0 && same_ignoring_case(local, entry_name_) &&
                           (depth == 1 || (depth == 2 && in_channel_));
        if (entry) {
          step.place = token->kind == Kind::empty ? Place::whole_entry : Place::entry_start;
          step.entry_depth = depth;
          if (token->kind == Kind::start) entry_depth_ = depth;
        } else {
          step.place = entry_depth_ != 0 ? Place::in_entry : Place::feed;
          step.entry_depth = entry_depth_;
        }
        step.kept = depth < stream_flatten_depth;
        if (token->kind == Kind::start) ++open_;
        break;
      }
      case Kind::end:
        if (open_ == 0) {
          broken_ = true;
          return std::nullopt;
        }
        --open_;
        step.kept = open_ < stream_flatten_depth;
        step.entry_depth = entry_depth_;
        if (entry_depth_ != 0 && open_ == entry_depth_) {
          step.place = Place::entry_end;
          entry_depth_ = 0;
        } else {
          step.place = entry_depth_ != 0 ? Place::in_entry : Place::feed;
        }
        if (open_ == 1) in_channel_ = false;
        break;
      case Kind::text:
      case Kind::cdata:
      case Kind::other:
        step.place = entry_depth_ != 0 ? Place::in_entry : Place::feed;
        step.entry_depth = entry_depth_;
        // pugixml drops comments, processing instructions and white-space-only text
        // itself; past the flattening depth they would join the text around them.
        step.kept = open_ < stream_flatten_depth || token->kind == Kind::cdata ||
                    (token->kind == Kind::text && !only_white_space(token->markup));
        break;
    }
    return step;
  }

  // True once every element opened was closed, after the end.
  bool nested() const { return !broken_ && root_seen_ && open_ == 0; }
  std::string_view root_tag() const { return root_tag_; }
  std::string_view root_name() const { return root_name_; }
  std::string_view channel_tag() const { return channel_tag_; }
  std::string_view channel_name() const { return channel_name_; }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
  std::size_t open_ = 0;
  std::size_t entry_depth_ = 0;  // the open entry's depth; 0 outside entries
  bool in_channel_ = false;
  bool root_seen_ = false;
  bool broken_ = false;
  std::string_view entry_name_ = "item";
  std::string_view root_tag_, root_name_, channel_tag_, channel_name_;
};

}  // namespace

EntryStream::~EntryStream() {
  budget_.release(charged_);
}

bool EntryStream::charged_reserve(std::string& buffer, std::size_t bytes) {
  if (bytes <= buffer.capacity()) return true;
  const std::size_t before = buffer.capacity();
  const std::size_t after = std::max(bytes, 2 * before);
  if (!budget_.charge(after + 1)) return false;
  buffer.reserve(after);
  charged_ += after + 1;
  // The old buffer is freed by reserve; a string's small buffer was never charged.
  if (before > 15) {
    budget_.release(before + 1);
    charged_ -= before + 1;
  }
  return true;
}

bool EntryStream::split() {
  warnings_ = tolerated_errors(text_);
  Walker walker(text_);
  while (const std::optional<Step> step = walker.next()) {
    if (step->place == Place::entry_start || step->place == Place::whole_entry) ++entries_;
    if (step->place != Place::feed || !step->kept) continue;
    if (!charged_reserve(feed_, feed_.size() + step->token.markup.size())) return false;
    feed_.append(step->token.markup);
  }
  return walker.nested();
}

EntryStream::End EntryStream::for_each_entry(const std::function<bool(pugi::xml_node)>& map) {
  const auto append = [this](std::string_view piece) {
    return charged_reserve(entry_, entry_.size() + piece.size()) && (entry_.append(piece), true);
  };
  Walker walker(text_);
  while (const std::optional<Step> step = walker.next()) {
    if (step->place == Place::feed || !step->kept) continue;
    if (step->place == Place::entry_start || step->place == Place::whole_entry) {
      entry_.clear();
      // The tags above the entry, self-closing ones opened: their declarations apply to it.
      for (const std::string_view tag :
           {walker.root_tag(), step->entry_depth == 2 ? walker.channel_tag() : std::string_view()}) {
        const bool self_closing = tag.size() >= 2 && tag[tag.size() - 2] == '/';
        if (!append(self_closing ? tag.substr(0, tag.size() - 2) : tag) || (self_closing && !append(">")))
          return End::out_of_memory;
      }
    }
    if (!append(step->token.markup)) return End::out_of_memory;
    if (step->place != Place::entry_end && step->place != Place::whole_entry) continue;
    for (const std::string_view name :
         {step->entry_depth == 2 ? walker.channel_name() : std::string_view(), walker.root_name()}) {
      if (!name.empty() && !(append("</") && append(name) && append(">"))) return End::out_of_memory;
    }
    LoadedXml piece;
    load_strict_in_place(entry_, piece);
    if (piece.out_of_memory) return End::out_of_memory;
    if (!piece.ok) return End::malformed;
    pugi::xml_node entry = piece.document.document_element();
    if (step->entry_depth == 2)
      entry = entry.find_child([](pugi::xml_node n) { return n.type() == pugi::node_element; });
    entry = entry.find_child([](pugi::xml_node n) { return n.type() == pugi::node_element; });
    if (!map(entry)) return End::done;
  }
  return walker.nested() ? End::done : End::malformed;
}

}  // namespace tinhop::xml
