// Editorial rules: which of a source's items are stored, what boilerplate is cut from them
// and which categories they gain. Pure: a document's items and the source's scope in, the
// items to store out; no I/O, no clock, no logger. docs/rules.md has worked examples.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/parsers/model.hpp"

namespace tinhop::rules {

// The parts of an item a rule reads.
enum class Field : std::uint8_t {
  title,     // plain text
  summary,   // its plain text (tags dropped) when matching; the HTML when rewriting
  content,   // likewise
  link,      // the absolute URL
  author,    // each author's name
  category,  // each category
  language,  // the item's own language, else its feed's
};

// How a rule's pattern is read.
enum class Match : std::uint8_t {
  words,   // every word appears somewhere, in any order; case and diacritics ignored
  phrase,  // the words appear in this order, next to each other; case and diacritics ignored
  regex,   // an ICU regular expression, case-insensitive unless case_sensitive
};

// What a rule does to the items it matches.
enum class Action : std::uint8_t {
  drop,     // not stored
  keep,     // allow-list: a source's items that match none of its keep rules are not stored
  tag,      // adds `tag` to the item's categories
  rewrite,  // removes every match of the regex from the fields it reads
};

std::string_view to_string(Field field);
std::string_view to_string(Match match);
std::string_view to_string(Action action);
std::optional<Field> field_from(std::string_view text);
std::optional<Match> match_from(std::string_view text);
std::optional<Action> action_from(std::string_view text);

// One rule as the configuration writes it.
struct RuleSpec {
  std::string name;  // unique; names its drops in /metrics and `sources show`
  Action action = Action::drop;
  Match match = Match::words;
  std::string pattern;
  std::vector<Field> fields;    // empty: title, summary and content
  bool case_sensitive = false;  // regex only; words and phrases never are
  std::string tag;              // the category a tag rule adds
  // Where the rule applies: the sources with these canonical URLs and those in these
  // categories; both empty: every source.
  std::vector<std::string> sources;
  std::vector<std::string> categories;
  friend bool operator==(const RuleSpec&, const RuleSpec&) = default;
};

// The most a rule may hold: every rule is compiled into each parse worker's rule set and
// read in full by every list, so an 8 MiB API body must not make one rule of it.
inline constexpr std::size_t kMaxPatternBytes = 8192;
inline constexpr std::size_t kMaxScopeEntries = 1000;  // sources, and categories
inline constexpr std::size_t kMaxTagBytes = 256;       // as a source's category
// Rules in all, the file's with the CLI's and the API's: each costs every item some work.
inline constexpr std::size_t kMaxRules = 1000;

// Why `rule` cannot be applied, one "key: message" per problem (keys as in the file:
// "pattern", "tag", "fields"); empty when it can. A regex ICU refuses is reported with
// ICU's error and the offset it points at; a pattern over kMaxPatternBytes is not compiled.
std::vector<std::string> check_rule(const RuleSpec& rule);

// A source as rules see it.
struct SourceScope {
  std::string_view url;  // canonical
  std::span<const std::string> categories;
};

// Whether `rule` applies to the source: it names the source's URL or one of its
// categories, or names neither.
bool applies_to(const RuleSpec& rule, const SourceScope& scope);

// What applying rules did to one document.
struct RuleTally {
  std::string rule;
  std::uint64_t dropped = 0;   // items this rule kept from being stored
  std::uint64_t timeouts = 0;  // regex matches abandoned at the time limit (read as no match)
};

// What happened to one item.
struct ItemEffect {
  std::size_t index = 0;                  // in the items passed to apply()
  std::string key;                        // its id, else its link, else its title
  std::string dropped_by;                 // the rule; empty when stored
  std::vector<std::string> rewritten_by;  // rules that changed a field
  std::vector<std::string> tagged_by;     // rules that added a category
};

struct Outcome {
  std::vector<RuleTally> tallies;   // rules that dropped or timed out, in rule order
  std::vector<ItemEffect> effects;  // items a rule touched, in item order
};

// Rules compiled once (regexes, folded words) and applied from any number of threads.
class RuleSet {
 public:
  // A regex match step limit, ICU's unit (about a millisecond each on a current CPU): a
  // pathological pattern stops there and counts as no match, so ingest never stalls.
  static constexpr std::int32_t kRegexTimeLimit = 20;
  // A regex that has hit the limit this many times in one document is not searched again
  // in the rest of it (read as no match, like a time-out): a feed of 5,000 items made to
  // trip it would otherwise hold a parse worker for minutes.
  static constexpr std::uint64_t kRegexTimeoutsPerDocument = 3;

  RuleSet();
  // The rules must pass check_rule (the configuration loader checks them); one that does
  // not throws std::invalid_argument.
  explicit RuleSet(std::vector<RuleSpec> rules);
  RuleSet(RuleSet&&) noexcept;
  RuleSet& operator=(RuleSet&&) noexcept;
  ~RuleSet();

  bool empty() const;
  std::size_t size() const;
  const std::vector<RuleSpec>& specs() const;

  // Applies the rules in scope for the source to `items`, in this order: every rewrite,
  // then drop rules (the first that matches drops), then keep rules (an item matching none
  // is dropped, counted under the first keep rule), then tags. Dropped items are erased.
  // `feed_language` stands in for items without their own.
  Outcome apply(std::vector<Item>& items, const SourceScope& scope,
                const std::optional<std::string>& feed_language = std::nullopt) const;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace tinhop::rules
