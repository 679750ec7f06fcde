// The pure keys of a stored entry, the same for every backend: its change detection hash,
// canonical link hash, fingerprint and search text.
#pragma once

#include <cstdint>
#include <string>

#include "tinhop/parsers/canonical_link.hpp"
#include "tinhop/parsers/fingerprint.hpp"
#include "tinhop/parsers/identity.hpp"
#include "tinhop/parsers/model.hpp"

namespace tinhop::storage {

// Everything a written entry needs that depends on the entry alone.
struct Prepared {
  std::int64_t content_hash = 0;
  std::int64_t link_hash = 0;  // 0 stands for "no link"
  Fingerprint fingerprint;
  std::string search_text;  // empty when it would repeat the stored summary
};

// Whether an entry changed: a hash of every stored field. Without the content for sources
// that follow links (there it comes from the article page, not from the document).
std::uint64_t content_hash(const Item& item, bool with_content);

// Everything a written entry needs that depends on the entry alone.
Prepared prepare(const Item& item, const ItemIdentity& identity, const LinkOptions& links, bool follows);

}  // namespace tinhop::storage
