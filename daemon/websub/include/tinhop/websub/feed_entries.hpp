// Content distribution of what is new (W3C WebSub section 8: the hub sends the updated
// content): a feed document as our publisher renders it (Atom, RSS or JSON Feed) read into
// its entries, and the same document cut down to some of them, its metadata and links kept.
// Pure functions: no I/O.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace tinhop::websub {

// Per entry id (Atom <id>, RSS <guid> else <link>, JSON Feed "id"), a fingerprint of the
// entry's whole text: an entry whose text changed is news again.
using Fingerprints = std::map<std::string, std::size_t>;

// Nullopt when `body` is not an Atom, RSS or JSON Feed document as `content_type` says.
std::optional<Fingerprints> read_entries(std::string_view content_type, std::string_view body);

// The ids of the entries in `now` that `had` lacks or had with another text.
std::set<std::string> entries_beyond(const Fingerprints& now, const Fingerprints& had);

// The document keeping only the entries whose id is in `ids` (in their order), with
// everything else (metadata, self and hub links) as it was. `body` is one read_entries
// accepted.
std::string document_with(std::string_view content_type, std::string_view body,
                          const std::set<std::string>& ids);

}  // namespace tinhop::websub
