// libFuzzer target: parse_feed over arbitrary bytes, with and without a declared charset, under
// the default memory budget and a small one.
// Seed corpus: tests/data/parsers/ (see docs/conformance.md for the command).
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/parsers/charset.hpp"
#include "tinhop/parsers/contract_json.hpp"
#include "tinhop/parsers/feed.hpp"

namespace {

// The parser promises well-formed UTF-8 in NFC in every text it returns; ICU checks it,
// not the parser's own fast paths.
void require_nfc(const std::string& text) {
  if (!tinhop::is_valid_utf8(text)) __builtin_trap();
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status) || !nfc->isNormalized(icu::UnicodeString::fromUTF8(text), status) ||
      U_FAILURE(status))
    __builtin_trap();
}

void require_nfc(const std::optional<std::string>& text) {
  if (text) require_nfc(*text);
}

void require_nfc(const std::vector<tinhop::Author>& people) {
  for (const tinhop::Author& person : people) {
    require_nfc(person.name);
    require_nfc(person.email);
    require_nfc(person.uri);
  }
}

void require_nfc(const tinhop::ItemExtras& extras) {
  for (const auto* field : {&extras.subtitle, &extras.rights, &extras.language}) require_nfc(*field);
  require_nfc(extras.contributors);
  for (const tinhop::Credit& credit : extras.credits) {
    require_nfc(credit.name);
    require_nfc(credit.role);
    require_nfc(credit.scheme);
  }
  if (extras.rating) {
    require_nfc(extras.rating->value);
    require_nfc(extras.rating->scheme);
  }
  if (extras.restriction) {
    require_nfc(extras.restriction->relationship);
    require_nfc(extras.restriction->type);
    for (const std::string& value : extras.restriction->values) require_nfc(value);
  }
  if (extras.license) {
    for (const auto* field : {&extras.license->name, &extras.license->url, &extras.license->type}) {
      require_nfc(*field);
    }
  }
  if (extras.source) {
    for (const auto* field : {&extras.source->title, &extras.source->link, &extras.source->id})
      require_nfc(*field);
  }
}

void require_nfc(const tinhop::Feed& feed) {
  for (const auto* field : {&feed.title, &feed.link, &feed.description, &feed.language, &feed.id,
                            &feed.rights, &feed.image, &feed.icon, &feed.generator}) {
    require_nfc(*field);
  }
  require_nfc(feed.authors);
  require_nfc(feed.contributors);
  for (const std::string& category : feed.categories) require_nfc(category);
  for (const tinhop::Item& item : feed.items) {
    for (const auto* field :
         {&item.id, &item.link, &item.title, &item.summary, &item.content, &item.thumbnail, &item.comments}) {
      require_nfc(*field);
    }
    require_nfc(item.authors);
    for (const std::string& category : item.categories) require_nfc(category);
    for (const tinhop::Enclosure& enclosure : item.enclosures) {
      require_nfc(enclosure.url);
      require_nfc(enclosure.type);
      require_nfc(enclosure.medium);
    }
    if (item.extras) require_nfc(*item.extras);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  tinhop::ParseContext context;
  context.url = "https://example.vn/rss/feed.rss";
  // The first byte picks a Content-Type so the HTTP-charset path is exercised too.
  if (size != 0 && (data[0] & 1U) != 0) context.content_type = "text/xml; charset=windows-1258";
  tinhop::ParseLimits limits;
  limits.max_items = 1000;
  // Fuzz inputs never reach the default 1 MiB floor; the second bit lowers it so the budget's
  // refusals and cuts are exercised on every path too.
  if (size != 0 && (data[0] & 2U) != 0) limits.memory_floor = 32U << 10U;
  const tinhop::ParseOutcome outcome = tinhop::parse_feed(bytes, context, limits);
  if (!outcome) return 0;
  require_nfc(outcome.result().feed);
  (void)tinhop::to_contract_json(outcome.result());
  return 0;
}
