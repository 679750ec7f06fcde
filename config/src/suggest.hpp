// "Did you mean": the closest of a few known names to a misspelled one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tinhop::config::detail {

// Edit distance (insert, delete, substitute, each 1), ASCII case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a likely typo
// (distance <= max(1, size/3)); empty otherwise.
std::string closest(std::string_view word, const std::vector<std::string_view>& candidates);

// " (did you mean 'x'?)" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace tinhop::config::detail
