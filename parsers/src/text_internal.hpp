// Text helpers private to the parsers library.
#pragma once

#include <cstdint>
#include <string>

namespace tinhop {

// Appends the UTF-8 form of a code point; surrogates, NUL and out-of-range become U+FFFD.
void append_code_point(std::string& out, std::uint32_t code);

// HTML5's reading of &#128;..&#159;: the windows-1252 character at that byte.
std::uint32_t windows_1252_fixup(std::uint32_t code);

}  // namespace tinhop
