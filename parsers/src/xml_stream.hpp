// A feed whose tree does not fit in its memory budget, read in pieces: one tree for the
// feed without its entries, then one small tree per entry, each freed before the next.
#pragma once

#include <pugixml.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/parsers/memory_budget.hpp"

namespace tinhop::xml {

// Elements nested this deep or deeper lose their tags and keep their text. The mappers
// serialize markup 200 levels below the element they read and flatten it past that (see
// serialize in xml_reader.cpp), and they read no element deeper than a few levels, so
// what they return is the same as from the whole tree; the tree stays this shallow.
inline constexpr std::size_t stream_flatten_depth = 256;

class EntryStream {
 public:
  enum class End { done, out_of_memory, malformed };

  // `text` must outlive the stream.
  EntryStream(std::string_view text, MemoryBudget& budget) : text_(text), budget_(budget) {}
  EntryStream(const EntryStream&) = delete;
  EntryStream& operator=(const EntryStream&) = delete;
  ~EntryStream();

  // Splits the text into the feed without its entries (RSS items, children of the root or
  // of its channel; Atom entries, children of the root) and the entries. False when the
  // budget does not hold the split or the markup does not nest.
  bool split();

  // The document without its entries, for a tree of its own; in-place parsing may write
  // into it.
  std::string& feed_without_entries() { return feed_; }

  // How many entries the document holds.
  std::size_t entries() const { return entries_; }

  // Parses each entry in document order, alone under copies of its ancestors' start tags
  // (their namespace declarations and xml:base stay in scope), and hands its element to
  // `map`, which returns false to stop. The tree is freed before the next entry is parsed.
  End for_each_entry(const std::function<bool(pugi::xml_node)>& map);

  // What pugixml lets through but XML forbids in the whole text (a bare '&' ...), as the
  // whole tree's parse reports it: the document was repaired, not read strictly.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  // Grows `buffer` to hold `bytes` with the budget's consent.
  bool charged_reserve(std::string& buffer, std::size_t bytes);

  std::string_view text_;
  MemoryBudget& budget_;
  std::size_t charged_ = 0;  // the buffers' capacities
  std::string feed_;
  std::size_t entries_ = 0;
  std::string entry_;  // one entry under its ancestors' start tags, reused
  std::vector<std::string> warnings_;
};

}  // namespace tinhop::xml
