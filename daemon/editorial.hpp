// What the configuration says the publisher shows beyond the river: [[views]] and [top]
// (docs/views.md), at start and after each reload.
#pragma once

#include "tinhop/config/config.hpp"
#include "tinhop/publish/handler.hpp"

namespace tinhop::daemon {

publish::Editorial editorial_from(const config::Config& config);

}  // namespace tinhop::daemon
