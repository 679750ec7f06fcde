// The alerts feed (/alerts/{secret}.atom on the admin listener): the newest changes of the
// sources' conditions as an Atom document a feed reader follows.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tinhop/storage/store.hpp"

namespace tinhop::admin {

inline constexpr std::size_t kAlertsFeedEntries = 100;

// One entry per event, newest first as given: id urn:tinhop:alert:{id}, title "{kind}:
// {source title or URL}", updated at the event, a link to the source's URL, the detail as
// summary, the kind as category. `sources` by id; nullopt: removed since. The feed's
// updated is the newest event's time, `now` without any.
std::string alerts_atom(const std::vector<storage::AlertEvent>& events,
                        const std::map<std::int64_t, std::optional<storage::Source>>& sources, Instant now);

}  // namespace tinhop::admin
