// Shared by the feed parser tests: parse a document and fail the test when it is refused.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <string_view>

#include "tinhop/parsers/contract_json.hpp"
#include "tinhop/parsers/feed.hpp"

namespace tinhop::test {

inline ParseContext context_for(std::string url = {}, std::string content_type = {}) {
  ParseContext context;
  context.url = std::move(url);
  context.content_type = std::move(content_type);
  return context;
}

// The result of a document expected to parse; the test fails with the reason otherwise.
inline ParseResult parse_ok(std::string_view bytes, const ParseContext& context = {}) {
  ParseOutcome outcome = parse_feed(bytes, context);
  if (!outcome) FAIL("refused: " << outcome.failure().message);
  return std::move(outcome).result();
}

// An instant as RFC 3339 text, so failures print readably.
inline std::string utc(const std::optional<Instant>& instant) {
  return instant ? format_rfc3339(*instant) : std::string("null");
}

}  // namespace tinhop::test
