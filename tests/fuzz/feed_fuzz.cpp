// libFuzzer target: parse_feed over arbitrary bytes, with and without a declared charset.
// Seed corpus: tests/data/parsers/ (see docs/conformance.md for the command).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tinhop/parsers/contract_json.hpp"
#include "tinhop/parsers/feed.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  tinhop::ParseContext context;
  context.url = "https://example.vn/rss/feed.rss";
  // The first byte picks a Content-Type so the HTTP-charset path is exercised too.
  if (size != 0 && (data[0] & 1U) != 0) context.content_type = "text/xml; charset=windows-1258";
  tinhop::ParseLimits limits;
  limits.max_items = 1000;
  const tinhop::ParseOutcome outcome = tinhop::parse_feed(bytes, context, limits);
  if (outcome) (void)tinhop::to_contract_json(outcome.result());
  return 0;
}
