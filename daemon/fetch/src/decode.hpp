// Content-Encoding decoding with a cap on the decoded size (a gzip bomb is refused).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tinhop::fetch::detail {

enum class DecodeStatus {
  ok,
  too_large,  // the decoded bytes would exceed the cap
  corrupt,    // not valid gzip/zlib/deflate data
  unknown,    // an encoding we do not speak (br, zstd, ...)
};

struct Decoded {
  DecodeStatus status = DecodeStatus::ok;
  std::string detail;
};

// Decodes `body` in place per the Content-Encoding header value (identity, gzip, x-gzip,
// deflate as zlib or raw, or a comma-separated list of them, applied in reverse order).
Decoded decode_body(std::string_view content_encoding, std::string& body, std::size_t max_decoded);

}  // namespace tinhop::fetch::detail
