// Escaping and date formats shared by every renderer.
#include <ctime>

#include "tinhop/publish/render.hpp"

namespace tinhop::publish {
namespace {

// Length of the valid UTF-8 sequence at s[i] and its code point, or 0 when invalid.
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& cp) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0U) == 0x80U; };
  unsigned char c = b(0);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF && cont(1)) {
    cp = ((c & 0x1FU) << 6U) | (b(1) & 0x3FU);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
    cp = ((c & 0x0FU) << 12U) | ((b(1) & 0x3FU) << 6U) | (b(2) & 0x3FU);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    cp = ((c & 0x07U) << 18U) | ((b(1) & 0x3FU) << 12U) | ((b(2) & 0x3FU) << 6U) | (b(3) & 0x3FU);
    if (cp < 0x10000 || cp > 0x10FFFF) return 0;
    return 4;
  }
  return 0;
}

bool allowed(char32_t cp) {
  if (cp < 0x20) return cp == '\t' || cp == '\n' || cp == '\r';
  if (cp >= 0x7F && cp <= 0x9F) return false;
  return cp != 0xFFFE && cp != 0xFFFF;
}

template <class Emit>
void for_each_clean(std::string_view text, Emit&& emit) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    std::size_t n = utf8_sequence(text, i, cp);
    if (n == 0) {
      emit(std::string_view("\xEF\xBF\xBD"), U'\uFFFD');
      ++i;
      continue;
    }
    if (allowed(cp)) emit(text.substr(i, n), cp);
    i += n;
  }
}

std::string format_time(Instant t, const char* format) {
  std::time_t tt = t.time_since_epoch().count();
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

}  // namespace

std::string clean_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for_each_clean(text, [&](std::string_view bytes, char32_t) { out += bytes; });
  return out;
}

void append_escaped(std::string& out, std::string_view text) {
  for_each_clean(text, [&](std::string_view bytes, char32_t cp) {
    switch (cp) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += bytes;
    }
  });
}

// strftime's %a/%b follow the C locale, which is what RFC 822 wants; the daemon never
// calls setlocale for LC_TIME.
std::string rfc3339(Instant t) {
  return format_time(t, "%Y-%m-%dT%H:%M:%SZ");
}

std::string rfc822(Instant t) {
  return format_time(t, "%a, %d %b %Y %H:%M:%S GMT");
}

}  // namespace tinhop::publish
