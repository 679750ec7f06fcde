#include "tinhop/parsers/slug.hpp"

#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <memory>

namespace tinhop {
namespace {

// A Transliterator is not safe to share between threads, and costs about a millisecond to
// build: one per thread, built on first use. Null when ICU has no such rules (no data).
icu::Transliterator* to_ascii() {
  thread_local const std::unique_ptr<icu::Transliterator> transliterator = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> made(
        icu::Transliterator::createInstance("Any-Latin; Latin-ASCII", UTRANS_FORWARD, status));
    return U_SUCCESS(status) ? std::move(made) : nullptr;
  }();
  return transliterator.get();
}

bool ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string ascii_slug(std::string_view name) {
  std::string latin;
  if (icu::Transliterator* transliterator = to_ascii()) {
    icu::UnicodeString text =
        icu::UnicodeString::fromUTF8(icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
    transliterator->transliterate(text);
    text.toUTF8String(latin);
  } else {
    latin = name;  // without ICU's rules only the ASCII letters and digits remain
  }
  std::string slug;
  bool gap = false;
  for (char c : latin) {
    if (!ascii_alnum(c)) {
      gap = !slug.empty();
      continue;
    }
    if (gap) slug += '-';
    gap = false;
    slug += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return slug;
}

}  // namespace tinhop
