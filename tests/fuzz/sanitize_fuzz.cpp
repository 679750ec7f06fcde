// The sanitizer must never crash, and its output must be a fixed point (re-sanitizing
// changes nothing), whatever the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tinhop/parsers/sanitize.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const tinhop::SanitizeOptions options{"https://news.example.vn/a/b.html"};
  const std::string once = tinhop::sanitize_html(input, options);
  if (tinhop::sanitize_html(once, options) != once) std::abort();
  (void)tinhop::html_excerpt(input, 50);
  return 0;
}
