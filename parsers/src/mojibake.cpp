// Double-encoded UTF-8: a CMS that read UTF-8 as windows-1252 and wrote the result as UTF-8.
#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>
#include <unicode/ustring.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "text_internal.hpp"
#include "tinhop/parsers/charset.hpp"

namespace tinhop {
namespace {

// True when `text` holds what double encoding leaves behind: a UTF-8 lead byte read as a
// character (U+00C2..U+00F4, "Ã") followed by a continuation byte read as one (U+0080..
// U+00BF, or windows-1252's € ‚ ƒ „ … Š Œ Ž ‘ ’ “ ” • – — ˜ ™ š œ ž Ÿ). Legitimate text
// rarely does, so the conversions below run for few fields.
bool may_be_double_encoded(std::string_view text) {
  for (std::size_t at = text.find('\xC3'); at != std::string_view::npos && at + 2 < text.size();
       at = text.find('\xC3', at + 1)) {
    const auto lead = static_cast<unsigned char>(text[at + 1]);
    const auto next = static_cast<unsigned char>(text[at + 2]);
    if (lead >= 0x82 && lead <= 0xB4 &&
        (next == 0xC2 || next == 0xC5 || next == 0xC6 || next == 0xCB || next == 0xE2)) {
      return true;
    }
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
