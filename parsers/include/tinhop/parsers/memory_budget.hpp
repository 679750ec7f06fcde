// A byte budget for one parse, and the seam that charges pugixml's allocations to it.
#pragma once

#include <cstddef>

namespace tinhop {

// The bytes one parse may hold at once. One parse, one thread: not synchronized.
class MemoryBudget {
 public:
  explicit MemoryBudget(std::size_t limit) noexcept : limit_(limit) {}

  // Charges `bytes` when they fit in what is left; otherwise charges nothing, marks the
  // budget exhausted and returns false.
  bool charge(std::size_t bytes) noexcept;

  // Gives back bytes charged earlier.
  void release(std::size_t bytes) noexcept;

  // The most the budget allows at once.
  std::size_t limit() const noexcept { return limit_; }

  // Bytes charged now.
  std::size_t used() const noexcept { return used_; }

  // Bytes still free.
  std::size_t left() const noexcept { return limit_ - used_; }

  // The most bytes charged at once so far.
  std::size_t peak() const noexcept { return peak_; }

  // True once a charge was refused.
  bool exhausted() const noexcept { return exhausted_; }

 private:
  std::size_t limit_;
  std::size_t used_ = 0;
  std::size_t peak_ = 0;
  bool exhausted_ = false;
};

// While alive, pugixml's allocations and frees on this thread are charged to `budget`:
// an allocation that does not fit fails, so pugixml reports status_out_of_memory (its
// other calls, such as append_child, return null handles). Scopes nest; the innermost
// wins. A document built in a scope and destroyed after it is released to whichever scope
// is active then (usually none; a release saturates at zero). Without a scope pugixml
// allocates as it always does, so other users of pugixml are unaffected.
class PugixmlBudgetScope {
 public:
  explicit PugixmlBudgetScope(MemoryBudget& budget) noexcept;
  ~PugixmlBudgetScope();
  PugixmlBudgetScope(const PugixmlBudgetScope&) = delete;
  PugixmlBudgetScope& operator=(const PugixmlBudgetScope&) = delete;

 private:
  MemoryBudget* previous_;
};

}  // namespace tinhop
