// libFuzzer target: charset detection and transcoding, plus the text helpers applied to
// whatever comes out (entity decoding, NFC, tag stripping, IRI handling).
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tinhop/parsers/charset.hpp"
#include "tinhop/parsers/text.hpp"
#include "tinhop/parsers/url.hpp"

namespace {

// The hand-vectorized UTF-8 scan against ICU: the same verdict on validity, and for valid
// text the same NFC.
void compare_with_icu(std::string_view bytes) {
  bool valid = true;
  const auto* units = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const auto length = static_cast<std::int32_t>(bytes.size());
  for (std::int32_t i = 0; i < length && valid;) {
    UChar32 c = 0;
    U8_NEXT(units, i, length, c);
    valid = c >= 0;
  }
  if (tinhop::is_valid_utf8(bytes) != valid) __builtin_trap();
  if (!valid) return;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  std::string expected;
  nfc->normalize(icu::UnicodeString::fromUTF8(bytes), status).toUTF8String(expected);
  if (U_SUCCESS(status) && tinhop::to_nfc(bytes) != expected) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  compare_with_icu(bytes.substr(0, 4096));
  // The first line, when short, doubles as a Content-Type header.
  const std::size_t newline = bytes.find('\n');
  const std::string_view content_type =
      newline != std::string_view::npos && newline < 80 ? bytes.substr(0, newline) : std::string_view();
  const tinhop::DecodedText decoded = tinhop::decode_document(bytes, content_type);
  const std::string_view sample = decoded.text.substr(0, 4096);
  // to_nfc promises well-formed UTF-8 whatever it is given.
  if (!tinhop::is_valid_utf8(tinhop::to_nfc(sample))) __builtin_trap();
  (void)tinhop::strip_html_to_text(sample);
  (void)tinhop::decode_entities(sample);
  (void)tinhop::resolve_url("https://example.vn/a/b", sample.substr(0, 256));
  return 0;
}
