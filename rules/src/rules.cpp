#include "tinhop/rules/rules.hpp"

#include <unicode/normalizer2.h>
#include <unicode/regex.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <unordered_set>

#include "tinhop/parsers/text.hpp"

namespace tinhop::rules {
namespace {

constexpr std::array<std::string_view, 7> kFieldNames{"title",  "summary",  "content", "link",
                                                      "author", "category", "language"};
constexpr std::array<std::string_view, 3> kMatchNames{"words", "phrase", "regex"};
constexpr std::array<std::string_view, 4> kActionNames{"drop", "keep", "tag", "rewrite"};
constexpr std::array<Field, 3> kDefaultFields{Field::title, Field::summary, Field::content};
constexpr std::size_t kFieldCount = kFieldNames.size();

template <typename Enum, std::size_t N>
std::optional<Enum> from_name(const std::array<std::string_view, N>& names, std::string_view text) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

icu::UnicodeString to_unicode(std::string_view utf8) {
  return icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
}

std::string to_utf8(const icu::UnicodeString& text) {
  std::string out;
  text.toUTF8String(out);
  return out;
}

// Scripts written without spaces between words: each of their characters is a word of its
// own, so a phrase of them matches as a substring does.
bool written_without_spaces(UChar32 c) {
  UErrorCode status = U_ZERO_ERROR;
  switch (uscript_getScript(c, &status)) {
    case USCRIPT_HAN:
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_THAI:
    case USCRIPT_LAO:
    case USCRIPT_KHMER:
    case USCRIPT_MYANMAR: return true;
    default: return false;
  }
}

// What one code point is to words, and how it reads folded.
enum class Kind : std::uint8_t {
  separator,  // ends a word: space, punctuation, symbols
  letter,     // part of a word: letters, digits, marks
  alone,      // a word by itself: a character of a script written without spaces
};

struct Folded {
  std::string text;  // UTF-8: its canonical decomposition without combining marks, case folded
  Kind kind = Kind::separator;
};

Folded fold_code_point(UChar32 c) {
  Folded out;
  const auto type = u_charType(c);
  if (written_without_spaces(c)) {
    out.kind = Kind::alone;
  } else if (u_isalnum(c) || type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK) {
    out.kind = Kind::letter;
  }
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  icu::UnicodeString decomposed;
  if (U_FAILURE(status) || !nfd->getDecomposition(c, decomposed)) decomposed = icu::UnicodeString(c);
  icu::UnicodeString folded;
  for (int32_t i = 0; i < decomposed.length();) {
    const UChar32 part = decomposed.char32At(i);
    i += U16_LENGTH(part);
    if (u_charType(part) == U_NON_SPACING_MARK) continue;
    folded.append(part == 0x0110 || part == 0x0111 ? UChar32{'d'} : u_foldCase(part, U_FOLD_CASE_DEFAULT));
  }
  out.text = to_utf8(folded);
  return out;
}

// Code points below this (Latin with Vietnamese, Greek, Cyrillic, the scripts of South and
// South-East Asia) are folded once into a table: a document's text is then folded at a
// lookup per character, not an ICU normalization per field.
constexpr UChar32 kTabled = 0x3000;

const Folded& folded(UChar32 c, Folded& scratch) {
  static const std::vector<Folded> table = [] {
    std::vector<Folded> t(static_cast<std::size_t>(kTabled));
    for (UChar32 c = 0; c < kTabled; ++c) t[static_cast<std::size_t>(c)] = fold_code_point(c);
    return t;
  }();
  if (c >= 0 && c < kTabled) return table[static_cast<std::size_t>(c)];
  scratch = fold_code_point(c < 0 ? 0xFFFD : c);
  return scratch;
}

// Calls visit(const Folded&) for each code point of `utf8` (U+FFFD for invalid bytes).
template <typename Visit>
void each_folded(std::string_view utf8, Visit visit) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(utf8.data());
  const auto length = static_cast<int32_t>(utf8.size());
  Folded scratch;
  for (int32_t i = 0; i < length;) {
    UChar32 c = bytes[i];
    if (c < 0x80) {
      ++i;
    } else {
      U8_NEXT(bytes, i, length, c);
    }
    visit(folded(c, scratch));
  }
}

// The folded words of `utf8`: runs of letters and digits, and each character of a script
// written without spaces.
std::vector<std::string> words_of(std::string_view utf8) {
  std::vector<std::string> words;
  std::string current;
  each_folded(utf8, [&](const Folded& f) {
    if (f.kind == Kind::letter) {
      current += f.text;
      return;
    }
    if (!current.empty()) words.push_back(std::move(current));
    current.clear();
    if (f.kind == Kind::alone && !f.text.empty()) words.push_back(f.text);
  });
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

// A field's text folded for word matching: its words separated by single spaces, with a
// space at both ends, so " two words " finds a whole phrase; and the set of its words, so
// a rule whose words are absent is rejected without a scan.
struct WordText {
  std::string text;
  std::unordered_set<std::string_view> words;  // views into text

  explicit WordText(std::string_view utf8) {
    text.reserve(utf8.size() + 2);
    text += ' ';
    each_folded(utf8, [&](const Folded& f) {
      if (f.kind == Kind::letter) {
        text += f.text;
        return;
      }
      if (text.back() != ' ') text += ' ';
      if (f.kind == Kind::alone && !f.text.empty()) text += f.text + ' ';
    });
    if (text.back() != ' ') text += ' ';
    const std::string_view all(text);
    for (std::size_t start = 1; start < all.size();) {
      const std::size_t end = all.find(' ', start);
      if (end > start) words.insert(all.substr(start, end - start));
      start = end + 1;
    }
  }
  WordText(const WordText&) = delete;  // the views point into text
  WordText& operator=(const WordText&) = delete;

  bool has_all(const std::vector<std::string>& wanted) const {
    return std::all_of(wanted.begin(), wanted.end(),
                       [&](const std::string& word) { return words.count(word) > 0; });
  }
};

struct CompiledRule {
  RuleSpec spec;
  std::vector<std::string> words;              // words and phrase: the folded pattern
  std::string phrase;                          // phrase: its words, a space before and after each
  std::unique_ptr<icu::RegexPattern> pattern;  // regex
  std::array<bool, kFieldCount> reads{};
};

std::unique_ptr<icu::RegexPattern> compile(const RuleSpec& rule, std::string& error) {
  UParseError where{};
  UErrorCode status = U_ZERO_ERROR;
  const uint32_t flags = rule.case_sensitive ? 0 : UREGEX_CASE_INSENSITIVE;
  std::unique_ptr<icu::RegexPattern> pattern(
      icu::RegexPattern::compile(to_unicode(rule.pattern), flags, where, status));
  if (U_FAILURE(status)) {
    error = std::string(u_errorName(status));
    if (where.offset >= 0) error += " at offset " + std::to_string(where.offset);
    return nullptr;
  }
  return pattern;
}

// One item's fields as the match kinds read them, each computed on first use.
class ItemView {
 public:
  ItemView(const Item& item, const std::optional<std::string>& feed_language)
      : item_(item), feed_language_(feed_language) {}

  const std::vector<std::string>& values(Field field) {
    auto& slot = values_[static_cast<std::size_t>(field)];
    if (!slot) slot = read(field);
    return *slot;
  }

  // Each value folded for word matching (see WordText).
  const std::vector<std::unique_ptr<WordText>>& words(Field field) {
    auto& slot = words_[static_cast<std::size_t>(field)];
    if (!slot) {
      slot.emplace();
      for (const std::string& value : values(field)) slot->push_back(std::make_unique<WordText>(value));
    }
    return *slot;
  }

  const std::vector<icu::UnicodeString>& unicode(Field field) {
    auto& slot = unicode_[static_cast<std::size_t>(field)];
    if (!slot) {
      slot.emplace();
      for (const std::string& value : values(field)) slot->push_back(to_unicode(value));
    }
    return *slot;
  }

 private:
  std::vector<std::string> read(Field field) const {
    std::vector<std::string> out;
    auto add = [&](const std::optional<std::string>& value) {
      if (value && !value->empty()) out.push_back(*value);
    };
    switch (field) {
      case Field::title: add(item_.title); break;
      case Field::summary:
        if (item_.summary) add(strip_html_to_text(*item_.summary));
        break;
      case Field::content:
        if (item_.content) add(strip_html_to_text(*item_.content));
        break;
      case Field::link: add(item_.link); break;
      case Field::author:
        for (const Author& author : item_.authors) add(author.name);
        break;
      case Field::category:
        for (const std::string& category : item_.categories) add(category);
        break;
      case Field::language:
        add(item_.extras && item_.extras->language ? item_.extras->language : feed_language_);
        break;
    }
    return out;
  }

  const Item& item_;
  const std::optional<std::string>& feed_language_;
  std::array<std::optional<std::vector<std::string>>, kFieldCount> values_;
  std::array<std::optional<std::vector<std::unique_ptr<WordText>>>, kFieldCount> words_;
  std::array<std::optional<std::vector<icu::UnicodeString>>, kFieldCount> unicode_;
};

// The regex matchers of one apply() call: made from the shared patterns on first use,
// since a matcher holds its match state and must not be shared between threads.
class Matchers {
 public:
  explicit Matchers(std::size_t rules) : matchers_(rules) {}

  icu::RegexMatcher* get(std::size_t index, const icu::RegexPattern& pattern) {
    auto& slot = matchers_[index];
    if (!slot) {
      UErrorCode status = U_ZERO_ERROR;
      slot.reset(pattern.matcher(status));
      if (U_FAILURE(status)) {
        slot.reset();
        return nullptr;
      }
      slot->setTimeLimit(RuleSet::kRegexTimeLimit, status);
    }
    return slot.get();
  }

 private:
  std::vector<std::unique_ptr<icu::RegexMatcher>> matchers_;
};

std::string item_key(const Item& item) {
  if (item.id) return *item.id;
  if (item.link) return *item.link;
  return item.title.value_or("");
}

// Trims white space at both ends of a rewritten field; an empty one is absent.
void settle(std::optional<std::string>& field, bool plain) {
  if (!field) return;
  if (plain) {
    *field = collapse_whitespace(*field);
  } else {
    const auto first = field->find_first_not_of(" \t\r\n");
    const auto last = field->find_last_not_of(" \t\r\n");
    *field = first == std::string::npos ? std::string() : field->substr(first, last - first + 1);
  }
  if (field->empty()) field.reset();
}

}  // namespace

std::string_view to_string(Field field) {
  return kFieldNames[static_cast<std::size_t>(field)];
}
std::string_view to_string(Match match) {
  return kMatchNames[static_cast<std::size_t>(match)];
}
std::string_view to_string(Action action) {
  return kActionNames[static_cast<std::size_t>(action)];
}
std::optional<Field> field_from(std::string_view text) {
  return from_name<Field>(kFieldNames, text);
}
std::optional<Match> match_from(std::string_view text) {
  return from_name<Match>(kMatchNames, text);
}
std::optional<Action> action_from(std::string_view text) {
  return from_name<Action>(kActionNames, text);
}

std::string fold(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  each_folded(utf8, [&](const Folded& f) { out += f.text; });
  return out;
}

bool applies_to(const RuleSpec& rule, const SourceScope& scope) {
  if (rule.sources.empty() && rule.categories.empty()) return true;
  if (std::find(rule.sources.begin(), rule.sources.end(), scope.url) != rule.sources.end()) return true;
  return std::any_of(rule.categories.begin(), rule.categories.end(), [&](const std::string& category) {
    return std::find(scope.categories.begin(), scope.categories.end(), category) != scope.categories.end();
  });
}

std::vector<std::string> check_rule(const RuleSpec& rule) {
  std::vector<std::string> problems;
  if (rule.pattern.empty()) {
    problems.emplace_back("pattern: must not be empty");
  } else if (rule.match == Match::regex) {
    std::string error;
    if (!compile(rule, error)) problems.push_back("pattern: invalid regular expression: " + error);
  } else if (words_of(rule.pattern).empty()) {
    problems.emplace_back("pattern: has no letter or digit to match");
  }
  if (rule.action == Action::tag && rule.tag.empty()) {
    problems.emplace_back("tag: a tag rule needs the category it adds");
  }
  if (rule.action != Action::tag && !rule.tag.empty()) {
    problems.emplace_back("tag: only a tag rule adds a category");
  }
  if (rule.action == Action::rewrite) {
    if (rule.match != Match::regex) problems.emplace_back("match: a rewrite removes what a regex matches");
    for (Field field : rule.fields) {
      if (field != Field::title && field != Field::summary && field != Field::content) {
        problems.push_back("fields: a rewrite changes title, summary or content, not " +
                           std::string(to_string(field)));
      }
    }
  }
  if (rule.case_sensitive && rule.match != Match::regex) {
    problems.emplace_back("case_sensitive: words and phrases always ignore case and diacritics");
  }
  return problems;
}

struct RuleSet::Compiled {
  std::vector<RuleSpec> specs;
  std::vector<CompiledRule> rules;
};

RuleSet::RuleSet() : compiled_(std::make_unique<Compiled>()) {}

RuleSet::RuleSet(std::vector<RuleSpec> rules) : compiled_(std::make_unique<Compiled>()) {
  for (RuleSpec& spec : rules) {
    if (const auto problems = check_rule(spec); !problems.empty()) {
      throw std::invalid_argument("rule " + spec.name + ": " + problems.front());
    }
    CompiledRule rule;
    if (spec.match == Match::regex) {
      std::string error;
      rule.pattern = compile(spec, error);
    } else {
      rule.words = words_of(spec.pattern);
      rule.phrase = " ";
      for (const std::string& word : rule.words) rule.phrase += word + ' ';
    }
    const std::span<const Field> fields =
        spec.fields.empty() ? std::span<const Field>(kDefaultFields) : std::span<const Field>(spec.fields);
    for (Field field : fields) rule.reads[static_cast<std::size_t>(field)] = true;
    compiled_->specs.push_back(spec);
    rule.spec = std::move(spec);
    compiled_->rules.push_back(std::move(rule));
  }
}

RuleSet::RuleSet(RuleSet&&) noexcept = default;
RuleSet& RuleSet::operator=(RuleSet&&) noexcept = default;
RuleSet::~RuleSet() = default;

bool RuleSet::empty() const {
  return compiled_->rules.empty();
}
std::size_t RuleSet::size() const {
  return compiled_->rules.size();
}
const std::vector<RuleSpec>& RuleSet::specs() const {
  return compiled_->specs;
}

Outcome RuleSet::apply(std::vector<Item>& items, const SourceScope& scope,
                       const std::optional<std::string>& feed_language) const {
  Outcome outcome;
  const auto& rules = compiled_->rules;
  std::vector<std::size_t> rewrites, drops, keeps, tags;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (!applies_to(rules[i].spec, scope)) continue;
    switch (rules[i].spec.action) {
      case Action::rewrite: rewrites.push_back(i); break;
      case Action::drop: drops.push_back(i); break;
      case Action::keep: keeps.push_back(i); break;
      case Action::tag: tags.push_back(i); break;
    }
  }
  if (rewrites.empty() && drops.empty() && keeps.empty() && tags.empty()) return outcome;

  Matchers matchers(rules.size());
  std::vector<std::uint64_t> dropped(rules.size(), 0);
  std::vector<std::uint64_t> timeouts(rules.size(), 0);

  // Whether rule `r` matches `text` (a regex); a match past the time limit does not.
  auto regex_finds = [&](std::size_t r, const icu::UnicodeString& text) {
    icu::RegexMatcher* matcher = matchers.get(r, *rules[r].pattern);
    if (!matcher) return false;
    UErrorCode status = U_ZERO_ERROR;
    matcher->reset(text);
    const bool found = matcher->find(status);
    if (status == U_REGEX_TIME_OUT) ++timeouts[r];
    return U_SUCCESS(status) && found;
  };

  auto matches = [&](std::size_t r, ItemView& view) {
    const CompiledRule& rule = rules[r];
    for (std::size_t f = 0; f < kFieldCount; ++f) {
      if (!rule.reads[f]) continue;
      const auto field = static_cast<Field>(f);
      switch (rule.spec.match) {
        case Match::words:
          for (const auto& text : view.words(field)) {
            if (text->has_all(rule.words)) return true;
          }
          break;
        case Match::phrase:
          for (const auto& text : view.words(field)) {
            if (text->has_all(rule.words) && text->text.find(rule.phrase) != std::string::npos) return true;
          }
          break;
        case Match::regex:
          for (const auto& text : view.unicode(field)) {
            if (regex_finds(r, text)) return true;
          }
          break;
      }
    }
    return false;
  };

  // Removes every match of rule `r` from `field`; true when it changed.
  auto rewrite = [&](std::size_t r, std::optional<std::string>& field) {
    if (!field) return false;
    icu::RegexMatcher* matcher = matchers.get(r, *rules[r].pattern);
    if (!matcher) return false;
    const icu::UnicodeString text = to_unicode(*field);
    UErrorCode status = U_ZERO_ERROR;
    matcher->reset(text);
    const icu::UnicodeString result = matcher->replaceAll(icu::UnicodeString(), status);
    if (status == U_REGEX_TIME_OUT) ++timeouts[r];
    if (U_FAILURE(status) || result == text) return false;
    *field = to_utf8(result);
    return true;
  };

  std::vector<Item> kept;
  kept.reserve(items.size());
  for (std::size_t index = 0; index < items.size(); ++index) {
    Item& item = items[index];
    ItemEffect effect;
    effect.index = index;
    effect.key = item_key(item);
    for (std::size_t r : rewrites) {
      const auto& reads = rules[r].reads;
      bool changed = false;
      if (reads[static_cast<std::size_t>(Field::title)] && rewrite(r, item.title)) {
        settle(item.title, true);
        changed = true;
      }
      if (reads[static_cast<std::size_t>(Field::summary)] && rewrite(r, item.summary)) {
        settle(item.summary, false);
        changed = true;
      }
      if (reads[static_cast<std::size_t>(Field::content)] && rewrite(r, item.content)) {
        settle(item.content, false);
        changed = true;
      }
      if (changed) effect.rewritten_by.push_back(rules[r].spec.name);
    }
    ItemView view(item, feed_language);
    for (std::size_t r : drops) {
      if (matches(r, view)) {
        effect.dropped_by = rules[r].spec.name;
        ++dropped[r];
        break;
      }
    }
    if (effect.dropped_by.empty() && !keeps.empty() &&
        std::none_of(keeps.begin(), keeps.end(), [&](std::size_t r) { return matches(r, view); })) {
      effect.dropped_by = rules[keeps.front()].spec.name;
      ++dropped[keeps.front()];
    }
    if (effect.dropped_by.empty()) {
      for (std::size_t r : tags) {
        const std::string& tag = rules[r].spec.tag;
        if (std::find(item.categories.begin(), item.categories.end(), tag) != item.categories.end()) continue;
        if (!matches(r, view)) continue;
        item.categories.push_back(tag);
        effect.tagged_by.push_back(rules[r].spec.name);
      }
    }
    if (effect.dropped_by.empty()) kept.push_back(std::move(item));
    if (!effect.dropped_by.empty() || !effect.rewritten_by.empty() || !effect.tagged_by.empty()) {
      outcome.effects.push_back(std::move(effect));
    }
  }
  items = std::move(kept);
  for (std::size_t r = 0; r < rules.size(); ++r) {
    if (dropped[r] > 0 || timeouts[r] > 0)
      outcome.tallies.push_back({rules[r].spec.name, dropped[r], timeouts[r]});
  }
  return outcome;
}

}  // namespace tinhop::rules
