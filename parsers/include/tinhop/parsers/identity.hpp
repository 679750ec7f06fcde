// Which stored item a feed entry is: per source, the entry's own guid/id when present and
// unique within the document, else its canonical link, else a hash of its normalized
// title, date and summary. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tinhop/parsers/canonical_link.hpp"
#include "tinhop/parsers/model.hpp"

namespace tinhop {

enum class IdentityKind {
  guid,     // the entry's own id
  link,     // its canonical link (no usable id)
  content,  // hash of title + date + summary (neither)
};

const char* identity_kind_name(IdentityKind kind);  // "guid" | "link" | "content"

struct ItemIdentity {
  IdentityKind kind = IdentityKind::content;
  std::uint64_t key = 0;  // stable hash of kind + value; unique per source
  // Of the entry's link, when the key came from it (kind link). Entries with a guid leave
  // it unset: most of them are seen again unchanged, and the link is only needed for new ones.
  std::optional<std::string> canonical_link;
  bool repeated = false;  // an earlier entry of the same document has the same key: skip it
};

// One identity per entry of `feed`, in document order.
std::vector<ItemIdentity> identify_items(const Feed& feed, const LinkOptions& options = {});

}  // namespace tinhop
