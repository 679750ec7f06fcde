// Files built into the program (assets/embedded.cpp.in).
#pragma once

#include <string_view>

namespace tinhop::console::embedded {

extern const std::string_view kConsoleCss;  // assets/console.css

}  // namespace tinhop::console::embedded
