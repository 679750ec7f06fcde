// pugixml allocates through process-wide function pointers; they are installed once and
// charge whichever budget the calling thread has in scope, or nothing when it has none.
#include "tinhop/parsers/memory_budget.hpp"

#include <malloc.h>

#include <pugixml.hpp>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <string>

#include "budget_terms.hpp"

namespace tinhop {
namespace {

thread_local MemoryBudget* active_budget = nullptr;

// Sizes come from malloc_usable_size rather than a header before each block: pugixml may
// free a block it allocated before these functions were installed (a document loaded
// earlier elsewhere in the process), and a header read there would be out of bounds. The
// usable size of a pointer never changes, so a charge and its release always match.
void* allocate(std::size_t size) {
  MemoryBudget* budget = active_budget;
  if (budget != nullptr && size > budget->left()) {
    budget->charge(size);  // refused: marks the budget exhausted
    return nullptr;
  }
  void* block = std::malloc(size);
  if (block == nullptr || budget == nullptr) return block;
  if (!budget->charge(malloc_usable_size(block))) {
    std::free(block);
    return nullptr;
  }
  return block;
}

void deallocate(void* block) {
  if (block == nullptr) return;
  if (MemoryBudget* budget = active_budget) budget->release(malloc_usable_size(block));
  std::free(block);
}

std::once_flag installed;

void install() {
  std::call_once(installed, [] { pugi::set_memory_management_functions(allocate, deallocate); });
}

// Installed before main as well, so that no other thread can be inside pugixml while the
// pointers change; the call in the scope covers use from other static initializers.
[[maybe_unused]] const bool installed_at_start = (install(), true);

}  // namespace

bool MemoryBudget::charge(std::size_t bytes) noexcept {
  if (bytes > limit_ - used_) {
    exhausted_ = true;
    return false;
  }
  used_ += bytes;
  if (used_ > peak_) peak_ = used_;
  return true;
}

void MemoryBudget::release(std::size_t bytes) noexcept {
  // Saturates: a block freed in a scope other than the one it was charged to must not wrap.
  used_ = bytes > used_ ? 0 : used_ - bytes;
}

PugixmlBudgetScope::PugixmlBudgetScope(MemoryBudget& budget) noexcept : previous_(active_budget) {
  install();
  active_budget = &budget;
}

PugixmlBudgetScope::~PugixmlBudgetScope() {
  active_budget = previous_;
}

namespace detail {
namespace {

// "12.3": a size to one decimal, in units of `unit` bytes.
std::string one_decimal(std::size_t bytes, double unit) {
  const auto tenths = static_cast<unsigned long long>(static_cast<double>(bytes) / unit * 10.0 + 0.5);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10);
}

}  // namespace

std::size_t budget_limit(std::size_t input_bytes, std::size_t ratio, std::size_t floor) noexcept {
  constexpr std::size_t unlimited = std::numeric_limits<std::size_t>::max();
  if (ratio == 0) return unlimited;
  const std::size_t scaled = input_bytes > unlimited / ratio ? unlimited : input_bytes * ratio;
  return std::max(scaled, floor);
}

std::string binary_size(std::size_t bytes) {
  if (bytes < (1U << 20U)) return std::to_string(bytes >> 10U) + " KiB";
  return one_decimal(bytes, 1024.0 * 1024.0) + " MiB";
}

std::string budget_terms(std::size_t input_bytes, std::size_t ratio, std::size_t floor) {
  if (ratio == 0 || input_bytes <= floor / ratio) return "the " + binary_size(floor) + " floor";
  return std::to_string(ratio) + "x its " + one_decimal(input_bytes, 1e6) + " MB";
}

}  // namespace detail
}  // namespace tinhop
