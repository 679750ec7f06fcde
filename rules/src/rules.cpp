#include "tinhop/rules/rules.hpp"

#include <unicode/regex.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <unordered_map>

#include "tinhop/parsers/text.hpp"
#include "tinhop/parsers/words.hpp"

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

// The folded words of every words and phrase rule, numbered: a field's words are then
// looked up here once for all the rules reading it, not hashed into a set of their own.
class Dictionary {
 public:
  std::uint32_t add(std::string word) {
    return ids_.try_emplace(std::move(word), static_cast<std::uint32_t>(ids_.size())).first->second;
  }
  std::optional<std::uint32_t> find(std::string_view word) const {
    const auto found = ids_.find(word);
    if (found == ids_.end()) return std::nullopt;
    return found->second;
  }
  std::size_t size() const { return ids_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view word) const { return std::hash<std::string_view>{}(word); }
  };
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> ids_;
};

// A field's text folded for word matching: its words separated by single spaces, with a
// space at both ends, so " two words " finds a whole phrase; and which of the dictionary's
// words it has, so a rule whose words are absent is rejected without a scan.
struct WordText {
  std::string text;
  std::vector<bool> present;  // by dictionary id

  WordText(std::string_view utf8, const Dictionary& dictionary) : present(dictionary.size(), false) {
    // Written through an index into room made ahead (folding rarely makes text longer),
    // not appended a byte at a time: this loop is most of what rules cost an item.
    text.resize(utf8.size() + 16);
    std::size_t used = 0;
    auto make_room = [&](std::size_t bytes) {
      if (used + bytes > text.size()) text.resize(2 * text.size() + bytes);
    };
    text[used++] = ' ';
    std::size_t word_start = used;
    auto end_word = [&] {
      if (used == word_start) return;
      const std::string_view word(text.data() + word_start, used - word_start);
      if (const auto id = dictionary.find(word)) present[*id] = true;
      make_room(1);
      text[used++] = ' ';
      word_start = used;
    };
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(utf8.data());
    const auto length = static_cast<int32_t>(utf8.size());
    for (int32_t i = 0; i < length;) {
      UChar32 c = bytes[i];
      // ASCII, most of the bytes of Latin-script text, without a table lookup.
      if (c < 0x80) {
        ++i;
        const bool upper = c >= 'A' && c <= 'Z';
        if (upper || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
          make_room(1);
          text[used++] = static_cast<char>(upper ? c + ('a' - 'A') : c);
        } else {
          end_word();
        }
        continue;
      }
      U8_NEXT(bytes, i, length, c);
      const FoldedCodePoint f = fold_code_point(c < 0 ? 0xFFFD : static_cast<char32_t>(c));
      if (f.part == WordPart::separator) {
        end_word();
        continue;
      }
      if (f.part == WordPart::alone) end_word();
      make_room(f.text.size());
      std::memcpy(text.data() + used, f.text.data(), f.text.size());
      used += f.text.size();
      if (f.part == WordPart::alone) end_word();
    }
    end_word();
    text.resize(used);
  }

  bool has_all(const std::vector<std::uint32_t>& wanted) const {
    return std::all_of(wanted.begin(), wanted.end(), [&](std::uint32_t id) { return present[id]; });
  }
};

struct CompiledRule {
  RuleSpec spec;
  std::vector<std::string> words;              // words and phrase: the folded pattern
  std::vector<std::uint32_t> word_ids;         // those words in the rule set's dictionary
  std::string phrase;                          // phrase: its words, a space before and after each
  std::unique_ptr<icu::RegexPattern> pattern;  // regex
  std::array<bool, kFieldCount> reads{};
  std::array<bool, kFieldCount> screened{};  // regex: in the field's screen of its kind (see Screens)
};

// Whether a regex means the same as one branch of an alternation of others: no
// back-reference (its group number would shift), no flag setting or \Q quote that could
// reach past its branch. Rejects some harmless patterns too, which are then only run alone.
bool combinable(std::string_view pattern) {
  for (std::size_t i = 0; i + 1 < pattern.size(); ++i) {
    const char next = pattern[i + 1];
    if (pattern[i] == '\\') {
      if ((next >= '1' && next <= '9') || next == 'k' || next == 'Q') return false;
      ++i;
    } else if (pattern[i] == '(' && next == '?') {
      const char kind = i + 2 < pattern.size() ? pattern[i + 2] : '\0';
      if (kind != ':' && kind != '=' && kind != '!' && kind != '<' && kind != '>') return false;
    }
  }
  return true;
}

// Per field, one alternation of the distinct regexes that the drop, keep and tag rules
// reading it search for: a value it does not match matches none of them, so a value most
// rules miss costs one search, not one per rule. A value it matches (or whose search hits
// the time limit) is searched rule by rule as before, so matches and counts are the same.
using Screens = std::array<std::unique_ptr<icu::RegexPattern>, kFieldCount>;

// `rewrites`: the screens of the rewrite rules, else of the others. A field that the
// rewrites' screen does not match is left as it is by every rewrite in it, one after the
// other: none matches the field, so none changes what the next one reads.
Screens make_screens(std::vector<CompiledRule>& rules, bool rewrites) {
  Screens screens;
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    std::vector<std::size_t> members;
    std::vector<std::string> branches;
    for (std::size_t r = 0; r < rules.size(); ++r) {
      const RuleSpec& spec = rules[r].spec;
      if (spec.match != Match::regex || (spec.action == Action::rewrite) != rewrites || !rules[r].reads[f] ||
          !combinable(spec.pattern)) {
        continue;
      }
      members.push_back(r);
      std::string branch = (spec.case_sensitive ? "(?:" : "(?i:") + spec.pattern + ")";
      if (std::find(branches.begin(), branches.end(), branch) == branches.end()) branches.push_back(branch);
    }
    // One rule alone is searched as cheaply without a screen.
    if (members.size() < 2) continue;
    std::string alternation;
    for (const std::string& branch : branches) alternation += (alternation.empty() ? "" : "|") + branch;
    UParseError where{};
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::RegexPattern> screen(
        icu::RegexPattern::compile(to_unicode(alternation), 0, where, status));
    // Branches that compile alone may clash together (the same group name twice): then
    // each rule is searched alone.
    if (U_FAILURE(status)) continue;
    screens[f] = std::move(screen);
    for (std::size_t r : members) rules[r].screened[f] = true;
  }
  return screens;
}

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
  ItemView(const Item& item, const std::optional<std::string>& feed_language, const Dictionary& dictionary)
      : item_(item), feed_language_(feed_language), dictionary_(dictionary) {}

  const std::vector<std::string>& values(Field field) {
    auto& slot = values_[static_cast<std::size_t>(field)];
    if (!slot) slot = read(field);
    return *slot;
  }

  // Each value folded for word matching (see WordText).
  const std::vector<WordText>& words(Field field) {
    auto& slot = words_[static_cast<std::size_t>(field)];
    if (!slot) {
      slot.emplace();
      for (const std::string& value : values(field)) slot->emplace_back(value, dictionary_);
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

  // Per value, whether the field's screen found something (see Screens); empty until set.
  std::vector<bool>& screen_hits(Field field) { return screen_hits_[static_cast<std::size_t>(field)]; }

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
  const Dictionary& dictionary_;
  std::array<std::optional<std::vector<std::string>>, kFieldCount> values_;
  std::array<std::optional<std::vector<WordText>>, kFieldCount> words_;
  std::array<std::optional<std::vector<icu::UnicodeString>>, kFieldCount> unicode_;
  std::array<std::vector<bool>, kFieldCount> screen_hits_;
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
  } else if (rule.pattern.size() > kMaxPatternBytes) {
    problems.push_back("pattern: " + std::to_string(rule.pattern.size()) + " bytes; at most " +
                       std::to_string(kMaxPatternBytes));
  } else if (rule.match == Match::regex) {
    std::string error;
    if (!compile(rule, error)) problems.push_back("pattern: invalid regular expression: " + error);
  } else if (folded_words(rule.pattern).empty()) {
    problems.emplace_back("pattern: has no letter or digit to match");
  }
  if (rule.action == Action::tag && rule.tag.empty()) {
    problems.emplace_back("tag: a tag rule needs the category it adds");
  }
  if (rule.action != Action::tag && !rule.tag.empty()) {
    problems.emplace_back("tag: only a tag rule adds a category");
  }
  // The tag is a category of every item it matches, published in each feed: held to what a
  // source's categories are.
  if (rule.tag.size() > kMaxTagBytes) {
    problems.push_back("tag: longer than " + std::to_string(kMaxTagBytes) + " bytes");
  } else if (std::any_of(rule.tag.begin(), rule.tag.end(),
                         [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
    problems.emplace_back("tag: contains a control character");
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
  if (rule.sources.size() > kMaxScopeEntries) {
    problems.push_back("sources: " + std::to_string(rule.sources.size()) + " sources; at most " +
                       std::to_string(kMaxScopeEntries));
  }
  if (rule.categories.size() > kMaxScopeEntries) {
    problems.push_back("categories: " + std::to_string(rule.categories.size()) + " categories; at most " +
                       std::to_string(kMaxScopeEntries));
  }
  return problems;
}

struct RuleSet::Compiled {
  std::vector<RuleSpec> specs;
  std::vector<CompiledRule> rules;
  Dictionary dictionary;
  Screens screens;          // of drop, keep and tag rules
  Screens rewrite_screens;  // of rewrite rules
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
      rule.words = folded_words(spec.pattern);
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
  for (CompiledRule& rule : compiled_->rules) {
    for (const std::string& word : rule.words) rule.word_ids.push_back(compiled_->dictionary.add(word));
  }
  compiled_->screens = make_screens(compiled_->rules, false);
  compiled_->rewrite_screens = make_screens(compiled_->rules, true);
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

  // Matchers 0..rules-1 are the rules', then one per field for its screen, then one per
  // field for its rewrites' screen.
  Matchers matchers(rules.size() + 2 * kFieldCount);
  std::vector<std::uint64_t> dropped(rules.size(), 0);
  std::vector<std::uint64_t> timeouts(rules.size(), 0);
  // Of each field's screen, then each field's rewrites' screen (see Screens).
  std::array<std::uint64_t, 2 * kFieldCount> screen_timeouts{};
  auto spent = [](std::uint64_t count) { return count >= RuleSet::kRegexTimeoutsPerDocument; };

  // Whether rule `r` matches `text` (a regex); a match past the time limit does not.
  auto regex_finds = [&](std::size_t r, const icu::UnicodeString& text) {
    if (spent(timeouts[r])) return false;
    icu::RegexMatcher* matcher = matchers.get(r, *rules[r].pattern);
    if (!matcher) return false;
    UErrorCode status = U_ZERO_ERROR;
    matcher->reset(text);
    const bool found = matcher->find(status);
    if (status == U_REGEX_TIME_OUT) ++timeouts[r];
    return U_SUCCESS(status) && found;
  };

  // Whether the screen of `field` may match its value `v` (see Screens).
  auto screen_passes = [&](Field field, std::size_t v, ItemView& view) {
    std::vector<bool>& hits = view.screen_hits(field);
    if (hits.empty()) {
      const auto f = static_cast<std::size_t>(field);
      icu::RegexMatcher* matcher = matchers.get(rules.size() + f, *compiled_->screens[f]);
      for (const auto& text : view.unicode(field)) {
        if (!matcher || spent(screen_timeouts[f])) {
          hits.push_back(true);
          continue;
        }
        UErrorCode status = U_ZERO_ERROR;
        matcher->reset(text);
        const bool found = matcher->find(status);
        if (status == U_REGEX_TIME_OUT) ++screen_timeouts[f];
        hits.push_back(found || U_FAILURE(status));
      }
    }
    return hits[v];
  };

  auto matches = [&](std::size_t r, ItemView& view) {
    const CompiledRule& rule = rules[r];
    for (std::size_t f = 0; f < kFieldCount; ++f) {
      if (!rule.reads[f]) continue;
      const auto field = static_cast<Field>(f);
      switch (rule.spec.match) {
        case Match::words:
          for (const auto& text : view.words(field)) {
            if (text.has_all(rule.word_ids)) return true;
          }
          break;
        case Match::phrase:
          for (const auto& text : view.words(field)) {
            if (text.has_all(rule.word_ids) && text.text.find(rule.phrase) != std::string::npos) return true;
          }
          break;
        case Match::regex: {
          const auto& texts = view.unicode(field);
          for (std::size_t v = 0; v < texts.size(); ++v) {
            if (rule.screened[f] && !screen_passes(field, v, view)) continue;
            if (regex_finds(r, texts[v])) return true;
          }
          break;
        }
      }
    }
    return false;
  };

  // Removes every match of rule `r` from `field`; true when it changed.
  auto rewrite = [&](std::size_t r, std::optional<std::string>& field) {
    if (!field || spent(timeouts[r])) return false;
    icu::RegexMatcher* matcher = matchers.get(r, *rules[r].pattern);
    if (!matcher) return false;
    const icu::UnicodeString text = to_unicode(*field);
    UErrorCode status = U_ZERO_ERROR;
    matcher->reset(text);
    // Most fields have nothing to remove: a search says so without building a copy.
    const bool found = matcher->find(status);
    if (status == U_REGEX_TIME_OUT) ++timeouts[r];
    if (U_FAILURE(status) || !found) return false;
    const icu::UnicodeString result = matcher->replaceAll(icu::UnicodeString(), status);
    if (status == U_REGEX_TIME_OUT) ++timeouts[r];
    if (U_FAILURE(status) || result == text) return false;
    *field = to_utf8(result);
    return true;
  };

  // Per field, whether every rewrite in scope that reads it is in its screen: then a field
  // the screen does not match is not rewritten (see make_screens).
  std::array<bool, kFieldCount> rewrites_screened{};
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    rewrites_screened[f] =
        compiled_->rewrite_screens[f] && std::all_of(rewrites.begin(), rewrites.end(), [&](std::size_t r) {
          return !rules[r].reads[f] || rules[r].screened[f];
        });
  }
  auto may_rewrite = [&](Field field, const std::optional<std::string>& value) {
    const auto f = static_cast<std::size_t>(field);
    if (!value || rewrites.empty()) return false;
    if (!rewrites_screened[f] || spent(screen_timeouts[kFieldCount + f])) return true;
    icu::RegexMatcher* matcher = matchers.get(rules.size() + kFieldCount + f, *compiled_->rewrite_screens[f]);
    if (!matcher) return true;
    const icu::UnicodeString text = to_unicode(*value);
    UErrorCode status = U_ZERO_ERROR;
    matcher->reset(text);
    const bool found = matcher->find(status);
    if (status == U_REGEX_TIME_OUT) ++screen_timeouts[kFieldCount + f];
    return found || U_FAILURE(status);
  };

  std::vector<Item> kept;
  kept.reserve(items.size());
  for (std::size_t index = 0; index < items.size(); ++index) {
    Item& item = items[index];
    ItemEffect effect;
    effect.index = index;
    effect.key = item_key(item);
    const bool title_may_change = may_rewrite(Field::title, item.title);
    const bool summary_may_change = may_rewrite(Field::summary, item.summary);
    const bool content_may_change = may_rewrite(Field::content, item.content);
    for (std::size_t r : rewrites) {
      const auto& reads = rules[r].reads;
      bool changed = false;
      if (title_may_change && reads[static_cast<std::size_t>(Field::title)] && rewrite(r, item.title)) {
        settle(item.title, true);
        changed = true;
      }
      if (summary_may_change && reads[static_cast<std::size_t>(Field::summary)] && rewrite(r, item.summary)) {
        settle(item.summary, false);
        changed = true;
      }
      if (content_may_change && reads[static_cast<std::size_t>(Field::content)] && rewrite(r, item.content)) {
        settle(item.content, false);
        changed = true;
      }
      if (changed) effect.rewritten_by.push_back(rules[r].spec.name);
    }
    ItemView view(item, feed_language, compiled_->dictionary);
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
