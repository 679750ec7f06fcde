// URL path segments made from names (categories): ASCII, so a link survives being copied,
// typed and logged. Pure; ICU does the transliteration.
#pragma once

#include <string>
#include <string_view>

namespace tinhop {

// `name` as ASCII letters and digits, lowercased, its words joined by '-': "Kinh tế" →
// "kinh-te", "Đời sống" → "doi-song". ICU's "Any-Latin; Latin-ASCII" transliteration
// strips the marks (đ → d) and writes other scripts in Latin letters ("Москва" →
// "moskva"); what has no ASCII form is dropped. Empty when nothing is left.
std::string ascii_slug(std::string_view name);

}  // namespace tinhop
