// The parser's entry point: the raw bytes of one fetched document plus what the caller
// knows about it, in; the normalized model (or why there is none), out. Pure: no I/O,
// no clock, no logging.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "tinhop/parsers/model.hpp"

namespace tinhop {

// Why a document produced no feed at all. Recoverable problems are warnings instead.
enum class ParseError {
  not_a_feed,          // no RSS, RDF, Atom or JSON Feed root could be found
  too_large,           // the input exceeds ParseLimits::max_bytes
  too_many_items,      // more entries than ParseLimits::max_items
  too_deep,            // malformed markup nested deeper than ParseLimits::max_depth
  over_memory_budget,  // the document tree would not fit in the memory budget (ParseLimits)
};

// Contract-style name of an error ("not_a_feed", ...).
const char* error_name(ParseError error);

struct ParseFailure {
  ParseError error = ParseError::not_a_feed;
  std::string message;  // one line, for a log or stderr
};

// Hard caps: a document beyond them is refused rather than half-parsed, so memory stays
// bounded by a small multiple of the input.
struct ParseLimits {
  std::size_t max_bytes = 64U << 20U;       // raw input
  std::size_t max_items = 100'000;          // entries in one document
  std::size_t max_depth = 1'024;            // nesting the tag-soup reader accepts; strict XML: any depth
  std::size_t max_field_bytes = 4U << 20U;  // one text field; longer ones are cut with a warning
  // Titles (the feed's and its items') and names (authors, categories) longer than these
  // many code points are cut with "…" (truncate_text) and a warning: real news never needs
  // more, and each is stored, then published in every feed that shows it.
  std::size_t max_title_chars = 1'000;
  std::size_t max_name_chars = 200;
  // Memory one parse may hold at once: memory_ratio times the input, at least memory_floor
  // (a small feed's tree and model are mostly fixed costs). An RSS or Atom document whose
  // tree does not fit is read again entry by entry, one small tree at a time; one whose
  // tree without its entries (or one entry's) does not fit is refused
  // (over_memory_budget). When not all entries fit beside the tree, the first ones (the
  // newest, in feed order) are kept whole with a warning.
  std::size_t memory_ratio = 4;  // 0: no budget at all
  std::size_t memory_floor = 1U << 20U;
};

// Either a ParseResult or a ParseFailure, like pugixml's load result: test it, then read.
class ParseOutcome {
 public:
  ParseOutcome(ParseResult result) : value_(std::move(result)) {}     // NOLINT: implicit
  ParseOutcome(ParseFailure failure) : value_(std::move(failure)) {}  // NOLINT: implicit

  // True when a feed was recovered.
  bool ok() const noexcept { return value_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  // The feed; only when ok().
  const ParseResult& result() const& { return std::get<ParseResult>(value_); }
  ParseResult& result() & { return std::get<ParseResult>(value_); }
  ParseResult&& result() && { return std::get<ParseResult>(std::move(value_)); }

  // Why there is no feed; only when !ok().
  const ParseFailure& failure() const { return std::get<ParseFailure>(value_); }

 private:
  std::variant<ParseResult, ParseFailure> value_;
};

// Detects the format from the content (never the URL), decodes the charset, recovers
// malformed XML, and maps RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.0/1.1 onto the
// model: strings in NFC, titles as plain text, links absolute, dates in UTC.
ParseOutcome parse_feed(std::string_view bytes, const ParseContext& context, const ParseLimits& limits = {});

}  // namespace tinhop
