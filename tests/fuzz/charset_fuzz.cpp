// libFuzzer target: charset detection and transcoding, plus the text helpers applied to
// whatever comes out (entity decoding, NFC, tag stripping, IRI handling).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tinhop/parsers/charset.hpp"
#include "tinhop/parsers/text.hpp"
#include "tinhop/parsers/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
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
