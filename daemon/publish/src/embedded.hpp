// Files built into the program (assets/embedded.cpp.in): the reader pages' style sheet and
// the message catalogues of messages/.
#pragma once

#include <string_view>

namespace tinhop::publish::embedded {

extern const std::string_view kPageCss;     // assets/page.css
extern const std::string_view kMessagesVi;  // messages/vi.txt
extern const std::string_view kMessagesEn;  // messages/en.txt

}  // namespace tinhop::publish::embedded
