// Double-encoded UTF-8: a CMS that read UTF-8 as windows-1252 and wrote the result as UTF-8.
#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>
#include <unicode/ustring.h>

#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "text_internal.hpp"
#include "tinhop/parsers/charset.hpp"

namespace tinhop {
namespace {

// The code point of the well-formed UTF-8 sequence at text[at], and its length; 0 length
// when there is none.
std::pair<std::uint32_t, std::size_t> code_point_at(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  if (at >= text.size()) return {0, 0};
  const unsigned char first = byte(at);
  const std::size_t length = first < 0x80                     ? 1
                             : first >= 0xC2 && first <= 0xDF ? 2
                             : first >= 0xE0 && first <= 0xEF ? 3
                                                              : 0;
  if (length == 0 || at + length > text.size()) return {0, 0};
  if (length == 1) return {first, 1};
  std::uint32_t code = first & (length == 2 ? 0x1FU : 0x0FU);
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0U) != 0x80U) return {0, 0};
    code = (code << 6U) | (byte(at + i) & 0x3FU);
  }
  return {code, length};
}

// True when `code` is what windows-1252 (or Latin-1) makes of a UTF-8 continuation byte.
bool reads_as_continuation(std::uint32_t code) {
  if (code >= 0x80 && code <= 0xBF) return true;
  if (code < 0x100) return false;
  for (std::uint32_t byte = 0x80; byte <= 0x9F; ++byte) {
    if (windows_1252_fixup(byte) == code) return true;
  }
  return false;
}

// True when text[at] starts what double encoding leaves behind: a UTF-8 lead byte read as
// a character (U+00C2..U+00F4, "Ã" for 0xC3) followed by as many characters read from
// continuation bytes as that lead announces ("©" for 0xA9). Vietnamese text often has
// the first ("à…") but rarely the whole, so the conversions below run for few fields.
bool starts_double_encoding(std::string_view text, std::size_t at) {
  const auto lead = static_cast<unsigned char>(text[at + 1]);
  if (text[at] != '\xC3' || lead < 0x82 || lead > 0xB4) return false;
  // U+00C2..U+00DF: a two-byte lead; U+00E0..U+00EF: three; U+00F0..U+00F4: four.
  const std::size_t continuations = lead <= 0x9F ? 1 : lead <= 0xAF ? 2 : 3;
  std::size_t next = at + 2;
  for (std::size_t found = 0; found < continuations; ++found) {
    const auto [code, length] = code_point_at(text, next);
    if (length == 0 || !reads_as_continuation(code)) return false;
    next += length;
  }
  return true;
}

// True for a byte that starts no character windows-1252 has: text holding one cannot be
// double-encoded UTF-8 (the repair would fail to encode it). Its characters all lead with
// C2, C3 (U+0080-U+00FF), C5, C6, CB (Œ Š Ÿ Ž ƒ ˆ ˜) or E2 (– — ‘ ’ “ ” • … € ™); most
// Vietnamese words hold a letter that leads otherwise (đ: C4, ạ: E1), so this ends the
// check within a few bytes.
bool outside_windows_1252(unsigned char byte) {
  return byte >= 0xC4 && byte != 0xC5 && byte != 0xC6 && byte != 0xCB && byte != 0xE2;
}

bool may_be_double_encoded(std::string_view text) {
  std::size_t at = 0;
#if defined(__SSE2__)
  // Sixteen starts at a time: 0xC3, then 0x82..0xB4, then the first byte of a character
  // read from a continuation byte (0xC2 for U+0080..U+00BF; 0xC5, 0xC6, 0xCB, 0xE2 for
  // windows-1252's € … ’ Š ƒ ˜ and the like). Vietnamese text is dense in 0xC3, so one
  // search per 0xC3 would cost more than the rest of the check.
  const auto byte = [](unsigned value) { return _mm_set1_epi8(static_cast<char>(value)); };
  for (; at + 18 <= text.size(); at += 16) {
    const char* p = text.data() + at;
    const __m128i first = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed bytes: 0xC4..0xFF is -60..-1.
    const __m128i foreign = _mm_andnot_si128(
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(first, byte(0xC5)), _mm_cmpeq_epi8(first, byte(0xC6))),
                     _mm_or_si128(_mm_cmpeq_epi8(first, byte(0xCB)), _mm_cmpeq_epi8(first, byte(0xE2)))),
        _mm_and_si128(_mm_cmpgt_epi8(first, byte(0xC3)), _mm_cmplt_epi8(first, _mm_setzero_si128())));
    if (_mm_movemask_epi8(foreign) != 0) return false;
    const __m128i second = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
    const __m128i third = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 2));
    // Signed bytes: 0x82..0xB4 is -126..-76.
    const __m128i lead =
        _mm_and_si128(_mm_cmpgt_epi8(second, byte(0x81)), _mm_cmplt_epi8(second, byte(0xB5)));
    const __m128i next = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(third, byte(0xC2)), _mm_cmpeq_epi8(third, byte(0xE2))),
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(third, byte(0xC5)), _mm_cmpeq_epi8(third, byte(0xC6))),
                     _mm_cmpeq_epi8(third, byte(0xCB))));
    auto starts = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(first, byte(0xC3)), _mm_and_si128(lead, next))));
    for (; starts != 0; starts &= starts - 1) {
      if (starts_double_encoding(text, at + static_cast<std::size_t>(std::countr_zero(starts)))) return true;
    }
  }
#endif
  for (std::size_t i = at; i < text.size(); ++i) {
    if (outside_windows_1252(static_cast<unsigned char>(text[i]))) return false;
  }
  for (; at + 2 < text.size(); ++at) {
    if (starts_double_encoding(text, at)) return true;
  }
  return false;
}

struct ConverterCloser {
  void operator()(UConverter* converter) const { ucnv_close(converter); }
};

// `utf8` as windows-1252 bytes; nullopt when a character has no windows-1252 byte.
std::optional<std::string> to_windows_1252(std::string_view utf8) {
  UErrorCode status = U_ZERO_ERROR;
  int32_t units = 0;
  u_strFromUTF8(nullptr, 0, &units, utf8.data(), static_cast<int32_t>(utf8.size()), &status);
  if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) return std::nullopt;
  std::vector<UChar> utf16(static_cast<std::size_t>(units));
  status = U_ZERO_ERROR;
  u_strFromUTF8(utf16.data(), units, nullptr, utf8.data(), static_cast<int32_t>(utf8.size()), &status);
  if (U_FAILURE(status)) return std::nullopt;
  std::unique_ptr<UConverter, ConverterCloser> converter(ucnv_open("windows-1252", &status));
  if (U_FAILURE(status)) return std::nullopt;
  ucnv_setFromUCallBack(converter.get(), UCNV_FROM_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  if (U_FAILURE(status)) return std::nullopt;
  // One byte per UTF-16 unit at most: windows-1252 is a single-byte charset.
  std::string bytes(static_cast<std::size_t>(units), '\0');
  const int32_t length = ucnv_fromUChars(converter.get(), bytes.data(), units, utf16.data(), units, &status);
  if (U_FAILURE(status) && status != U_STRING_NOT_TERMINATED_WARNING) return std::nullopt;
  bytes.resize(static_cast<std::size_t>(length));
  return bytes;
}

}  // namespace

bool repair_mojibake(std::string& utf8) {
  if (!may_be_double_encoded(utf8)) return false;
  std::optional<std::string> bytes = to_windows_1252(utf8);
  if (!bytes || !is_valid_utf8(*bytes) || bytes->size() == utf8.size()) return false;
  utf8 = std::move(*bytes);
  return true;
}

}  // namespace tinhop
