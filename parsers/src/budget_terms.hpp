// How a parse's memory budget is sized and described, shared by the feed and HTML readers
// so that both refuse alike.
#pragma once

#include <cstddef>
#include <string>

namespace tinhop::detail {

// `ratio` times the input, at least `floor`; no limit when `ratio` is 0.
std::size_t budget_limit(std::size_t input_bytes, std::size_t ratio, std::size_t floor) noexcept;

// "1.5 MiB", "300 KiB".
std::string binary_size(std::size_t bytes);

// How the budget was set: "4x its 1.1 MB", or "the 1.0 MiB floor" for small inputs.
std::string budget_terms(std::size_t input_bytes, std::size_t ratio, std::size_t floor);

}  // namespace tinhop::detail
